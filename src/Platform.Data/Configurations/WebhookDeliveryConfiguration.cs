using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("webhook_deliveries", table =>
            table.HasCheckConstraint("ck_webhook_deliveries_state", TextEnumConverter<WebhookDeliveryState>.Check("state")));
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).ValueGeneratedNever();
        builder.Property(d => d.EventType).HasMaxLength(64);
        builder.Property(d => d.State).HasConversion(new TextEnumConverter<WebhookDeliveryState>()).HasMaxLength(16);
        builder.Property(d => d.LastError).HasMaxLength(500);
        builder.Property(d => d.CreatedAt).HasDefaultValueSql("now()");
        builder.Property(d => d.UpdatedAt).HasDefaultValueSql("now()");

        // One delivery per webhook and event; event first, so it also serves the event's foreign key (cascades, retention's
        // look-up) without an index of its own: one index entry less for every row written.
        builder.HasIndex(d => new { d.EventId, d.WebhookId }).IsUnique();
        builder.HasIndex(d => new { d.WebhookId, d.Id }).IsDescending(false, true);
        // The claim walks the webhooks with pending deliveries and takes each one's earliest due ones from this index, so
        // its cost follows the webhooks and the rows it takes, not the backlog.
        builder.HasIndex(d => new { d.WebhookId, d.NextAttemptAt }).HasDatabaseName("ix_webhook_deliveries_pending").HasFilter("state = 'pending'");
        builder.HasIndex(d => d.TenantId);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<WebhookEvent>().WithMany().HasForeignKey(d => d.EventId).OnDelete(DeleteBehavior.Cascade);
    }
}
