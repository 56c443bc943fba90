using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class AuditLogConfiguration : IEntityTypeConfiguration<AuditLog>
{
    public void Configure(EntityTypeBuilder<AuditLog> builder)
    {
        builder.ToTable("audit_logs");
        builder.HasKey(l => l.Id);
        builder.Property(l => l.Id).ValueGeneratedNever();
        builder.Property(l => l.Action).HasMaxLength(100);
        builder.Property(l => l.Details).HasColumnType("jsonb");
        builder.Property(l => l.IpAddress).HasColumnType("inet");
        builder.Property(l => l.UserAgent).HasMaxLength(512);
        builder.Property(l => l.CreatedAt).HasDefaultValueSql("now()");

        builder.HasIndex(l => new { l.TenantId, l.CreatedAt }).IsDescending(false, true);
        builder.HasIndex(l => l.CreatedAt);
        builder.HasIndex(l => new { l.TenantId, l.Id }).IsDescending(false, true);
        builder.HasIndex(l => new { l.TargetType, l.TargetId });
        builder.HasIndex(l => new { l.ActorType, l.ActorId });
        builder.HasIndex(l => l.Details).HasMethod("gin").HasOperators("jsonb_path_ops");

        builder.HasOne<Tenant>().WithMany()
            .HasForeignKey(l => l.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
