using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Resources;
using Platform.Data.Webhooks;
using Platform.Runtime;

namespace Platform.Worker.Containers;

/// <summary>An alert to open; <see cref="TenantId"/> null makes it platform-wide.</summary>
public sealed record AlertDraft(
    Guid? TenantId,
    Guid? AgentId,
    string? ContainerId,
    string Kind,
    AlertSeverity Severity,
    string Title,
    string Message,
    string Fingerprint)
{
    public static AlertDraft ForContainer(WorkloadObservation observation, DesiredAlert alert) =>
        new(observation.TenantId, observation.AgentId, observation.WorkloadId, alert.Kind, alert.Severity, alert.Title, alert.Message, alert.Fingerprint);
}

/// <summary>
/// Opens and resolves alerts by fingerprint, idempotently: the partial unique index
/// (fingerprint) WHERE resolved_at IS NULL allows one open alert per fingerprint, and opening one
/// that is already open does nothing. Every method works on the caller's context (and transaction),
/// which must be platform-scoped.
/// </summary>
public sealed class AlertStore(TimeProvider clock)
{
    private const int TitleMax = 200;
    private const int MessageMax = 4000;
    private const int FingerprintMax = 200;

    /// <summary>Opens the alert unless one with its fingerprint is open; true when a row was inserted.</summary>
    public async Task<bool> OpenAsync(PlatformDbContext db, AlertDraft alert, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        var severity = alert.Severity.ToString().ToLowerInvariant();
        var title = Truncate(alert.Title, TitleMax);
        var message = Truncate(alert.Message, MessageMax);
        var fingerprint = Truncate(alert.Fingerprint, FingerprintMax);
        var now = clock.GetUtcNow();
        var inserted = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO alerts (id, tenant_id, agent_id, container_id, kind, severity, title, message, fingerprint, created_at)
            VALUES ({id}, {alert.TenantId}, {alert.AgentId}, {alert.ContainerId}, {alert.Kind}, CAST({severity} AS alert_severity),
                    {title}, {message}, {fingerprint}, {now})
            ON CONFLICT (fingerprint) WHERE resolved_at IS NULL DO NOTHING
            """,
            cancellationToken);
        if (inserted > 0)
        {
            var raised = new Alert
            {
                Id = id, TenantId = alert.TenantId, AgentId = alert.AgentId, ContainerId = alert.ContainerId, Kind = alert.Kind,
                Severity = alert.Severity, Title = title, Message = message, Fingerprint = fingerprint, CreatedAt = now,
            };
            await WebhookOutbox.InsertAsync(db, WebhookEventTypes.AlertRaised, alert.TenantId, WebhookEventData.Alert(raised), now, cancellationToken);
        }

        return inserted > 0;
    }

    /// <summary>Resolves the open alerts with these fingerprints; returns the agents they were about (null for none).</summary>
    public async Task<IReadOnlyList<Guid?>> ResolveAsync(PlatformDbContext db, IReadOnlyCollection<string> fingerprints, CancellationToken cancellationToken)
    {
        if (fingerprints.Count == 0)
        {
            return [];
        }

        var keys = fingerprints.Select(f => Truncate(f, FingerprintMax)).Distinct().ToArray();
        var now = clock.GetUtcNow();
        var resolved = await db.Alerts.FromSql(
            $"""
            UPDATE alerts SET resolved_at = {now}
            WHERE resolved_at IS NULL AND fingerprint = ANY({keys})
            RETURNING *
            """).IgnoreQueryFilters().AsNoTracking().AsAsyncEnumerable().ToListAsync(cancellationToken);
        foreach (var alert in resolved)
        {
            await WebhookOutbox.InsertAsync(db, WebhookEventTypes.AlertResolved, alert.TenantId, WebhookEventData.Alert(alert), now, cancellationToken);
        }

        return [.. resolved.Select(a => a.AgentId)];
    }

    /// <summary>
    /// The agents' status follows their open alerts: active/idle → error while one is open, error → active
    /// once none is. Info alerts tell of something already handled and never count. Paused and provisioning agents are never touched. Returns the rows changed.
    /// </summary>
    public async Task<int> SyncAgentStatusesAsync(PlatformDbContext db, IEnumerable<Guid> agentIds, CancellationToken cancellationToken)
    {
        var ids = agentIds.Distinct().ToArray();
        if (ids.Length == 0)
        {
            return 0;
        }

        var now = clock.GetUtcNow();
        var toError = await db.Database.SqlQuery<StatusChange>(
            $"""
            UPDATE agents AS a SET status = 'error', updated_at = {now}
            FROM agents AS before
            WHERE before.id = a.id AND a.id = ANY({ids}) AND a.status IN ('active', 'idle')
              AND EXISTS (SELECT 1 FROM alerts AS l WHERE l.agent_id = a.id AND l.resolved_at IS NULL AND l.severity <> 'info')
            RETURNING a.id, a.tenant_id, before.status AS previous_status
            """).ToListAsync(cancellationToken);
        var toActive = await db.Database.SqlQuery<StatusChange>(
            $"""
            UPDATE agents AS a SET status = 'active', updated_at = {now}
            FROM agents AS before
            WHERE before.id = a.id AND a.id = ANY({ids}) AND a.status = 'error'
              AND NOT EXISTS (SELECT 1 FROM alerts AS l WHERE l.agent_id = a.id AND l.resolved_at IS NULL AND l.severity <> 'info')
            RETURNING a.id, a.tenant_id, before.status AS previous_status
            """).ToListAsync(cancellationToken);
        var changes = toError.Concat(toActive).ToList();
        if (changes.Count > 0)
        {
            // The agents as the API shows them, read in this transaction after the update.
            var changedIds = changes.Select(c => c.Id).ToArray();
            var agents = await db.Agents.IgnoreQueryFilters().AsNoTracking().Where(a => changedIds.Contains(a.Id))
                .Select(AgentProjection.ToResponse).ToDictionaryAsync(a => a.Id, cancellationToken);
            foreach (var change in changes)
            {
                await WebhookOutbox.InsertAsync(db, WebhookEventTypes.AgentStatusChanged, change.TenantId,
                    WebhookEventData.AgentStatusChanged(agents[change.Id], change.PreviousStatus), now, cancellationToken);
            }
        }

        return toError.Count + toActive.Count;
    }

    private sealed record StatusChange(Guid Id, Guid TenantId, AgentStatus PreviousStatus);

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";
}
