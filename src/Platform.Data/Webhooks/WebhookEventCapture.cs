using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Platform.Data.Entities;
using Platform.Data.Resources;

namespace Platform.Data.Webhooks;

/// <summary>
/// The webhook events of the changes a SaveChanges is about to write, added to the same save (and so the same
/// transaction): an agent whose status changes, an alert raised, acknowledged or resolved, a critical audit row. Changes
/// made with SQL (the poller's alert store) write their events themselves with <see cref="WebhookOutbox.InsertAsync"/>.
/// An agent's event carries its channels, as the API shows them: they are loaded first when the save did not have them.
/// </summary>
internal static class WebhookEventCapture
{
    public static void AddPending(PlatformDbContext db)
    {
        var agents = ChangedAgents(db);
        foreach (var (entry, _) in agents.Where(a => !a.Entry.Collection(nameof(Agent.Channels)).IsLoaded))
        {
            entry.Collection(nameof(Agent.Channels)).Load();
        }

        Add(db, agents);
    }

    public static async Task AddPendingAsync(PlatformDbContext db, CancellationToken cancellationToken)
    {
        var agents = ChangedAgents(db);
        foreach (var (entry, _) in agents.Where(a => !a.Entry.Collection(nameof(Agent.Channels)).IsLoaded))
        {
            await entry.Collection(nameof(Agent.Channels)).LoadAsync(cancellationToken);
        }

        Add(db, agents);
    }

    /// <summary>Agents added, or whose status changed, with the status they had before (null when added).</summary>
    private static List<(EntityEntry<Agent> Entry, AgentStatus? Previous)> ChangedAgents(PlatformDbContext db)
    {
        db.ChangeTracker.DetectChanges();
        return db.ChangeTracker.Entries<Agent>()
            .Where(e => e.State == EntityState.Added || (e.State == EntityState.Modified && Changed(e, nameof(Agent.Status))))
            .Select(e => (e, e.State == EntityState.Added ? null : (AgentStatus?)e.Property(nameof(Agent.Status)).OriginalValue))
            .ToList();
    }

    private static void Add(PlatformDbContext db, List<(EntityEntry<Agent> Entry, AgentStatus? Previous)> agents)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (entry, previous) in agents)
        {
            var agent = entry.Entity;
            WebhookOutbox.Add(db, WebhookEventTypes.AgentStatusChanged, agent.TenantId,
                WebhookEventData.AgentStatusChanged(AgentProjection.From(agent), previous), now);
        }

        foreach (var entry in db.ChangeTracker.Entries().ToList())
        {
            switch (entry.Entity)
            {
                case Alert alert when entry.State == EntityState.Modified && Changed(entry, nameof(Alert.ResolvedAt)) && alert.ResolvedAt is not null:
                    WebhookOutbox.Add(db, WebhookEventTypes.AlertResolved, alert.TenantId, WebhookEventData.Alert(alert), now);
                    break;
                case Alert alert when entry.State == EntityState.Modified && Changed(entry, nameof(Alert.AcknowledgedAt)) && alert.AcknowledgedAt is not null:
                    WebhookOutbox.Add(db, WebhookEventTypes.AlertAcknowledged, alert.TenantId, WebhookEventData.Alert(alert), now);
                    break;
                case Alert alert when entry.State == EntityState.Added:
                    WebhookOutbox.Add(db, WebhookEventTypes.AlertRaised, alert.TenantId, WebhookEventData.Alert(alert), now);
                    break;
                case AuditLog { Severity: AuditSeverity.Critical } row when entry.State == EntityState.Added:
                    WebhookOutbox.Add(db, WebhookEventTypes.AuditCritical, row.TenantId, WebhookEventData.Audit(row), now);
                    break;
            }
        }
    }

    private static bool Changed(EntityEntry entry, string property) =>
        entry.Property(property) is { IsModified: true } p && !Equals(p.OriginalValue, p.CurrentValue);
}
