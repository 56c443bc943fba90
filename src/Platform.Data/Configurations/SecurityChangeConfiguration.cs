using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class SecurityChangeConfiguration : IEntityTypeConfiguration<SecurityChange>
{
    public void Configure(EntityTypeBuilder<SecurityChange> builder)
    {
        builder.ToTable("security_changes", table => table.HasCheckConstraint(
            "ck_security_changes_kind", TextEnumConverter<SecurityChangeKind>.Check("kind")));
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Kind).HasConversion(new TextEnumConverter<SecurityChangeKind>()).HasMaxLength(16);
        builder.Property(c => c.Subject).HasMaxLength(64);
        builder.Property(c => c.CreatedAt).HasDefaultValueSql("now()");
        builder.HasIndex(c => c.CreatedAt);
    }
}
