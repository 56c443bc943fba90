using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).ValueGeneratedNever();
        builder.Property(k => k.Name).HasMaxLength(200);
        builder.Property(k => k.Prefix).HasMaxLength(32);
        builder.Property(k => k.KeyHash).HasMaxLength(128);
        builder.Property(k => k.Scopes).HasColumnType("text[]");
        builder.Property(k => k.CreatedAt).HasDefaultValueSql("now()");

        builder.HasIndex(k => k.Prefix).IsUnique();
        builder.HasIndex(k => k.TenantId);
        builder.HasIndex(k => k.CreatedByUserId);
        builder.HasIndex(k => k.ExpiresAt);
        builder.HasIndex(k => k.AgentId);

        builder.HasOne<Tenant>().WithMany()
            .HasForeignKey(k => k.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany()
            .HasForeignKey(k => k.CreatedByUserId).OnDelete(DeleteBehavior.SetNull);

        // An agent's runtime key means nothing without the agent.
        builder.HasOne<Agent>().WithMany()
            .HasForeignKey(k => k.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
