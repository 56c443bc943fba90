using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> builder)
    {
        builder.ToTable("webhooks");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Id).ValueGeneratedNever();
        builder.Property(w => w.Url).HasMaxLength(2048);
        builder.Property(w => w.Events).HasColumnType("text[]");
        builder.Property(w => w.Description).HasMaxLength(500);
        builder.Property(w => w.SecretCipher).HasMaxLength(1024);
        builder.Property(w => w.PreviousSecretCipher).HasMaxLength(1024);
        builder.Property(w => w.DisabledReason).HasMaxLength(64);
        builder.Property(w => w.CreatedAt).HasDefaultValueSql("now()");
        builder.Property(w => w.UpdatedAt).HasDefaultValueSql("now()");

        builder.HasIndex(w => new { w.TenantId, w.Id });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(w => w.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
