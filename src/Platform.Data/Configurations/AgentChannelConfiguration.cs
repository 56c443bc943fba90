using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class AgentChannelConfiguration : IEntityTypeConfiguration<AgentChannel>
{
    public void Configure(EntityTypeBuilder<AgentChannel> builder)
    {
        builder.ToTable("agent_channels");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Name).HasMaxLength(200);
        builder.Property(c => c.Config).HasColumnType("jsonb");
        builder.Property(c => c.CreatedAt).HasDefaultValueSql("now()");
        builder.Property(c => c.UpdatedAt).HasDefaultValueSql("now()");

        builder.HasIndex(c => new { c.AgentId, c.Type, c.Name }).IsUnique();
        builder.HasIndex(c => c.TenantId);

        builder.HasOne<Tenant>().WithMany()
            .HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(c => c.Agent).WithMany(a => a.Channels)
            .HasForeignKey(c => c.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
