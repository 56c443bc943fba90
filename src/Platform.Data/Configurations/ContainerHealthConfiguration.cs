using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class ContainerHealthConfiguration : IEntityTypeConfiguration<ContainerHealth>
{
    public void Configure(EntityTypeBuilder<ContainerHealth> builder)
    {
        builder.ToTable("container_health", t =>
            t.HasCheckConstraint("ck_container_health_resolution", "resolution IN ('raw', 'hour')"));
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.ContainerId).HasMaxLength(128);
        builder.Property(h => h.Resolution).HasMaxLength(8).HasConversion(
            v => v == HealthResolution.Hour ? "hour" : "raw",
            s => s == "hour" ? HealthResolution.Hour : HealthResolution.Raw);
        builder.Property(h => h.RecordedAt).HasDefaultValueSql("now()");

        builder.HasIndex(h => new { h.TenantId, h.RecordedAt });
        builder.HasIndex(h => new { h.ContainerId, h.RecordedAt });
        builder.HasIndex(h => new { h.Resolution, h.RecordedAt });
        builder.HasIndex(h => h.AgentId);

        // One hourly roll-up per container and hour: re-running a roll-up inserts nothing new.
        builder.HasIndex([nameof(ContainerHealth.ContainerId), nameof(ContainerHealth.RecordedAt)], "HourlyRollup")
            .IsUnique()
            .HasFilter("resolution = 'hour'")
            .HasDatabaseName("ux_container_health_hourly");

        builder.HasOne<Tenant>().WithMany()
            .HasForeignKey(h => h.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agent>().WithMany()
            .HasForeignKey(h => h.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
