using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> builder)
    {
        builder.ToTable("alerts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.ContainerId).HasMaxLength(128);
        builder.Property(a => a.Kind).HasMaxLength(64);
        builder.Property(a => a.Title).HasMaxLength(200);
        builder.Property(a => a.Message).HasMaxLength(4000);
        builder.Property(a => a.Fingerprint).HasMaxLength(200);
        builder.Property(a => a.CreatedAt).HasDefaultValueSql("now()");

        builder.HasIndex(a => a.Fingerprint).IsUnique().HasFilter("resolved_at IS NULL");
        builder.HasIndex(a => new { a.TenantId, a.CreatedAt });
        builder.HasIndex([nameof(Alert.TenantId), nameof(Alert.CreatedAt)], "OpenByTenant")
            .HasDatabaseName("ix_alerts_open_by_tenant")
            .HasFilter("resolved_at IS NULL");
        builder.HasIndex(a => a.Severity);
        builder.HasIndex(a => a.AgentId);
        builder.HasIndex(a => a.AcknowledgedByUserId);

        builder.HasOne<Tenant>().WithMany()
            .HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agent>().WithMany()
            .HasForeignKey(a => a.AgentId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<User>().WithMany()
            .HasForeignKey(a => a.AcknowledgedByUserId).OnDelete(DeleteBehavior.SetNull);
    }
}
