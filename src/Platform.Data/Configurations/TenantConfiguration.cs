using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.ToTable("tenants");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.CompanyName).HasMaxLength(200);
        builder.Property(t => t.AdminEmail).HasMaxLength(320);
        builder.Property(t => t.ModelDefaults).HasJsonConversion();
        builder.Property(t => t.ResourceLimits).HasJsonConversion();
        builder.Property(t => t.CreatedAt).HasDefaultValueSql("now()");
        builder.Property(t => t.UpdatedAt).HasDefaultValueSql("now()");

        builder.HasIndex(t => t.Status);
        builder.HasIndex(t => t.Plan);
        builder.HasIndex(t => t.CreatedAt);
    }
}
