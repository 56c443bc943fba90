using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class AgentActivityConfiguration : IEntityTypeConfiguration<AgentActivity>
{
    public void Configure(EntityTypeBuilder<AgentActivity> builder)
    {
        builder.ToTable("agent_activities");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Summary).HasMaxLength(2000);
        builder.Property(a => a.Details).HasColumnType("jsonb");
        builder.Property(a => a.CreatedAt).HasDefaultValueSql("now()");

        builder.HasIndex(a => new { a.AgentId, a.CreatedAt }).IsDescending(false, true);
        builder.HasIndex(a => new { a.TenantId, a.CreatedAt }).IsDescending(false, true);
        builder.HasIndex(a => new { a.AgentId, a.Id }).IsDescending(false, true);

        builder.HasOne<Tenant>().WithMany()
            .HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agent>().WithMany()
            .HasForeignKey(a => a.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
