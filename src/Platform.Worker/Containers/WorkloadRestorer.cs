using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;
using Platform.Data.Tenancy;
using Platform.Runtime;

namespace Platform.Worker.Containers;

/// <summary>
/// Self-healing: an agent that should run (active, or in error) whose workload is gone from the runtime (removed behind
/// the platform's back, lost with its host, or in another runtime or scope since a configuration change) goes back to
/// <c>provisioning</c>, so the provisioner creates it again with a fresh key. The key of the vanished workload is
/// revoked. Never acts on a guess: a workload created while the rows were read is found by listing again.
/// </summary>
internal sealed class WorkloadRestorer(
    IAgentRuntime runtime,
    DbContextOptions<PlatformDbContext> dbOptions,
    ILogger logger,
    TimeProvider clock)
{
    private readonly AlertStore _alerts = new(clock);

    /// <param name="listed">This round's listing (of this scope).</param>
    /// <param name="onlyTenants">Only agents of these tenants; empty for every tenant.</param>
    public async Task<int> RestoreAsync(IReadOnlyList<AgentWorkload> listed, Guid[] onlyTenants, CancellationToken cancellationToken)
    {
        var listedIds = listed.Select(w => w.Id).ToArray();
        List<(Guid Id, Guid TenantId, string ContainerId)> candidates;
        await using (var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform()))
        {
            candidates = (await db.Agents.AsNoTracking()
                    .Where(a => (a.Status == AgentStatus.Active || a.Status == AgentStatus.Error) && a.ContainerId != null
                                && !listedIds.Contains(a.ContainerId)
                                && (onlyTenants.Length == 0 || onlyTenants.Contains(a.TenantId)))
                    .Select(a => new { a.Id, a.TenantId, a.ContainerId })
                    .ToListAsync(cancellationToken))
                .Select(a => (a.Id, a.TenantId, a.ContainerId!))
                .ToList();
        }

        if (candidates.Count == 0)
        {
            return 0;
        }

        // The listing was taken before the rows were read: one created in between is in this one.
        var present = (await runtime.ListAsync(cancellationToken)).Select(w => w.Id).ToHashSet(StringComparer.Ordinal);
        var restored = 0;
        foreach (var (agentId, tenantId, containerId) in candidates.Where(c => !present.Contains(c.ContainerId)))
        {
            if (await ProvisionAgainAsync(agentId, tenantId, containerId, cancellationToken))
            {
                restored++;
                logger.LogWarning("The workload {ContainerId} of agent {AgentId} is gone from the runtime at {Endpoint}; it is provisioned again",
                    containerId, agentId, runtime.Endpoint);
            }
        }

        return restored;
    }

    /// <summary>Back to provisioning, if the row still names the vanished workload, with the runtime keys of that workload revoked.</summary>
    private async Task<bool> ProvisionAgainAsync(Guid agentId, Guid tenantId, string containerId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await db.Agents
            .Where(a => a.Id == agentId && a.ContainerId == containerId && (a.Status == AgentStatus.Active || a.Status == AgentStatus.Error))
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, AgentStatus.Provisioning)
                .SetProperty(a => a.ContainerId, (string?)null)
                .SetProperty(a => a.ProvisionAttempts, 0)
                .SetProperty(a => a.NextProvisionAt, (DateTimeOffset?)null)
                .SetProperty(a => a.UpdatedAt, now), cancellationToken);
        if (changed == 0)
        {
            return false;
        }

        var keyName = RuntimeKeys.Name(agentId);
        var keys = await db.ApiKeys
            .Where(k => k.TenantId == tenantId && (k.AgentId == agentId || k.Name == keyName) && k.RevokedAt == null)
            .ToListAsync(cancellationToken);
        foreach (var key in keys)
        {
            key.RevokedAt = now;
            db.SecurityChanges.Add(SecurityChange.ApiKeyRevoked(key.Prefix, now));
        }

        await db.SaveChangesAsync(cancellationToken);
        await _alerts.OpenAsync(db, new AlertDraft(
            tenantId, agentId, containerId, AlertRules.WorkloadReprovisioned, AlertSeverity.Info,
            "Agent workload re-provisioned",
            $"The workload {containerId} of the agent was gone from the runtime; the platform is provisioning it again with a new runtime key.",
            $"{AlertRules.WorkloadReprovisioned}:{containerId}"), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
