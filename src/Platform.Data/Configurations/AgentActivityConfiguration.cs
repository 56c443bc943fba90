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
        builder.Property(a => a.TxId).HasColumnType("xid8").HasDefaultValueSql("pg_current_xact_id()").ValueGeneratedOnAdd();

        builder.HasIndex(a => new { a.AgentId, a.CreatedAt }).IsDescending(false, true);
        builder.HasIndex(a => new { a.AgentId, a.Id }).IsDescending(false, true);

        // The live feed reads in (tx_id, id) order: every replica's pump across tenants, and a reconnecting subscriber
        // within its tenant. tenant_id leads the second, so the foreign key needs no index of its own.
        builder.HasIndex(a => new { a.TxId, a.Id });
        builder.HasIndex(a => new { a.TenantId, a.TxId, a.Id });

        builder.HasOne<Tenant>().WithMany()
            .HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agent>().WithMany()
            .HasForeignKey(a => a.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
