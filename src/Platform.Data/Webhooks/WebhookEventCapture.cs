using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;

namespace Platform.Data.Webhooks;

/// <summary>
/// The webhook events of the changes a SaveChanges is about to write, added to the same save (and so the same
/// transaction): an agent whose status changes, an alert acknowledged or resolved, a critical audit row. Changes made
/// with SQL (the poller's alert store) write their events themselves with <see cref="WebhookOutbox.InsertAsync"/>.
/// </summary>
internal static class WebhookEventCapture
{
    public static void AddPending(PlatformDbContext db)
    {
        db.ChangeTracker.DetectChanges();
        var now = DateTimeOffset.UtcNow;
        foreach (var entry in db.ChangeTracker.Entries().ToList())
        {
            switch (entry.Entity)
            {
                case Agent agent when entry.State == EntityState.Added
                    || (entry.State == EntityState.Modified && entry.Property(nameof(Agent.Status)).IsModified
                        && !Equals(entry.Property(nameof(Agent.Status)).OriginalValue, agent.Status)):
                    var previous = entry.State == EntityState.Added ? null : (AgentStatus?)entry.Property(nameof(Agent.Status)).OriginalValue;
                    WebhookOutbox.Add(db, WebhookEventTypes.AgentStatusChanged, agent.TenantId,
                        new AgentStatusEventData(agent.Id, agent.TenantId, agent.Name, agent.Status, previous, agent.UpdatedAt), now);
                    break;
                case Alert alert when entry.State == EntityState.Modified && Changed(entry, nameof(Alert.ResolvedAt)) && alert.ResolvedAt is not null:
                    WebhookOutbox.Add(db, WebhookEventTypes.AlertResolved, alert.TenantId, AlertEventData.Of(alert), now);
                    break;
                case Alert alert when entry.State == EntityState.Modified && Changed(entry, nameof(Alert.AcknowledgedAt)) && alert.AcknowledgedAt is not null:
                    WebhookOutbox.Add(db, WebhookEventTypes.AlertAcknowledged, alert.TenantId, AlertEventData.Of(alert), now);
                    break;
                case Alert alert when entry.State == EntityState.Added:
                    WebhookOutbox.Add(db, WebhookEventTypes.AlertRaised, alert.TenantId, AlertEventData.Of(alert), now);
                    break;
                case AuditLog { Severity: AuditSeverity.Critical } row when entry.State == EntityState.Added:
                    WebhookOutbox.Add(db, WebhookEventTypes.AuditCritical, row.TenantId, AuditEventData.Of(row), now);
                    break;
            }
        }
    }

    private static bool Changed(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry entry, string property) =>
        entry.Property(property) is { IsModified: true } p && !Equals(p.OriginalValue, p.CurrentValue);
}
