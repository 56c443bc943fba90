using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class AgentMetricConfiguration : IEntityTypeConfiguration<AgentMetric>
{
    public void Configure(EntityTypeBuilder<AgentMetric> builder)
    {
        builder.ToTable("agent_metrics", t =>
            t.HasCheckConstraint("ck_agent_metrics_period_minutes", "period_minutes > 0"));
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Property(m => m.CostUsd).HasPrecision(12, 4);
        builder.Property(m => m.CreatedAt).HasDefaultValueSql("now()");
        builder.Property(m => m.UpdatedAt).HasDefaultValueSql("now()");

        builder.HasIndex(m => new { m.AgentId, m.PeriodStart, m.PeriodMinutes }).IsUnique();
        builder.HasIndex(m => new { m.TenantId, m.PeriodStart });

        builder.HasOne<Tenant>().WithMany()
            .HasForeignKey(m => m.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agent>().WithMany()
            .HasForeignKey(m => m.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
