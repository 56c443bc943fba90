using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class AgentConfiguration : IEntityTypeConfiguration<Agent>
{
    public void Configure(EntityTypeBuilder<Agent> builder)
    {
        builder.ToTable("agents", table => table.HasCheckConstraint("ck_agents_idle_stage", TextEnumConverter<HibernationStage>.Check("idle_stage")));
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Name).HasMaxLength(200);
        builder.Property(a => a.Description).HasMaxLength(2000);
        builder.Property(a => a.ToolPolicy).HasJsonConversion();
        builder.Property(a => a.AssistedUser).HasJsonConversion();
        builder.Property(a => a.ContainerId).HasMaxLength(128);
        builder.Property(a => a.IdleStage).HasConversion(new TextEnumConverter<HibernationStage>()).HasMaxLength(16);
        builder.Property(a => a.IdleReason).HasMaxLength(500);
        builder.Property(a => a.CreatedAt).HasDefaultValueSql("now()");
        builder.Property(a => a.UpdatedAt).HasDefaultValueSql("now()");

        builder.HasIndex(a => new { a.TenantId, a.Name }).IsUnique();
        builder.HasIndex(a => new { a.TenantId, a.Status });
        builder.HasIndex(a => a.ContainerId);

        // The hibernation sweep looks for active agents that went quiet.
        builder.HasIndex(a => new { a.Status, a.LastActiveAt });

        // Keyset pages of one tenant, newest first (GET /agents is the hot path).
        builder.HasIndex(a => new { a.TenantId, a.Id }).IsDescending(false, true);
        builder.HasIndex(a => a.ToolPolicy).HasMethod("gin").HasOperators("jsonb_path_ops");

        builder.HasOne(a => a.Tenant).WithMany(t => t.Agents)
            .HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
