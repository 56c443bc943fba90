using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class SecurityChangeConfiguration : IEntityTypeConfiguration<SecurityChange>
{
    private static readonly ValueConverter<SecurityChangeKind, string> KindNames = new(
        kind => kind == SecurityChangeKind.ApiKey ? "api_key" : kind == SecurityChangeKind.Tenant ? "tenant" : "session",
        name => name == "api_key" ? SecurityChangeKind.ApiKey : name == "tenant" ? SecurityChangeKind.Tenant : SecurityChangeKind.Session);

    public void Configure(EntityTypeBuilder<SecurityChange> builder)
    {
        builder.ToTable("security_changes", table => table.HasCheckConstraint(
            "ck_security_changes_kind", "kind IN ('api_key', 'tenant', 'session')"));
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Kind).HasConversion(KindNames).HasMaxLength(16);
        builder.Property(c => c.Subject).HasMaxLength(64);
        builder.Property(c => c.CreatedAt).HasDefaultValueSql("now()");
        builder.HasIndex(c => c.CreatedAt);
    }
}
