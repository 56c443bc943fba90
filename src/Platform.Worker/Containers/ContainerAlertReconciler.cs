using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Platform.Data;

namespace Platform.Worker.Containers;

/// <summary>What applying a sweep's alerts changed.</summary>
internal sealed record AlertOutcome(int Opened, int Resolved, int AgentsChanged);

/// <summary>
/// Makes the open container alerts match a sweep: opens the alerts its samples call for, resolves the
/// ones they no longer do and those of containers that are gone, and lets the agents' status follow.
/// </summary>
internal sealed class ContainerAlertReconciler(AlertStore alerts, ILogger logger)
{
    // Workloads this poller has listed: once one is missing from a listing, it is gone (this scope's listing is the
    // truth for this scope's workloads; nothing of another scope sharing the database is ever resolved on a guess).
    private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);

    /// <param name="listed">Every workload the sweep listed, recorded or not.</param>
    public async Task<AlertOutcome> ApplyAsync(PlatformDbContext db, RecordedSweep sweep, HashSet<string> listed, CancellationToken cancellationToken)
    {
        var containerIds = sweep.ContainerIds;
        var kinds = AlertRules.ContainerKinds.ToArray();
        var openFingerprints = (await db.Alerts.AsNoTracking()
                .Where(a => a.ResolvedAt == null && a.ContainerId != null && containerIds.Contains(a.ContainerId) && kinds.Contains(a.Kind))
                .Select(a => a.Fingerprint)
                .ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
        var desiredFingerprints = sweep.Desired.Select(d => d.Alert.Fingerprint).ToHashSet(StringComparer.Ordinal);

        var opened = 0;
        foreach (var (observation, alert) in sweep.Desired.Where(d => !openFingerprints.Contains(d.Alert.Fingerprint)))
        {
            if (await alerts.OpenAsync(db, AlertDraft.ForContainer(observation, alert), cancellationToken))
            {
                opened++;
                logger.LogWarning("Alert {Kind} opened for container {ContainerId} of agent {AgentId}", alert.Kind, observation.WorkloadId, observation.AgentId);
            }
        }

        var resolvedAgents = new List<Guid?>();
        var cleared = openFingerprints.Where(f => !desiredFingerprints.Contains(f)).ToList();
        resolvedAgents.AddRange(await alerts.ResolveAsync(db, cleared, cancellationToken));
        resolvedAgents.AddRange(await ResolveVanishedAsync(db, listed, cancellationToken));

        var changed = await alerts.SyncAgentStatusesAsync(
            db, sweep.Known.Select(o => o.AgentId).Concat(resolvedAgents.OfType<Guid>()), cancellationToken);
        return new AlertOutcome(opened, resolvedAgents.Count, changed);
    }

    /// <summary>
    /// Open container alerts whose condition cannot hold any more, resolved: those of workloads this poller listed
    /// before and that are gone now, of agents that were deleted, and of agents that run in another workload now
    /// (recreated or provisioned again). Nothing is asked of the runtime: alerts of another scope's workloads (tests
    /// share a database) are left to that scope's poller.
    /// </summary>
    private async Task<IReadOnlyList<Guid?>> ResolveVanishedAsync(PlatformDbContext db, HashSet<string> listed, CancellationToken cancellationToken)
    {
        var gone = _seen.Keys.Where(id => !listed.Contains(id)).ToList();
        foreach (var id in gone)
        {
            _seen.TryRemove(id, out _);
        }

        foreach (var id in listed)
        {
            _seen[id] = true;
        }

        var kinds = AlertRules.ContainerKinds.ToArray();
        var goneIds = gone.ToArray();
        var stale = await db.Alerts.AsNoTracking()
            .Where(a => a.ResolvedAt == null && a.ContainerId != null && kinds.Contains(a.Kind) && !listed.Contains(a.ContainerId))
            .Where(a => goneIds.Contains(a.ContainerId!)
                        || a.AgentId == null
                        || db.Agents.Any(g => g.Id == a.AgentId && g.ContainerId != null && g.ContainerId != a.ContainerId))
            .Select(a => a.Fingerprint)
            .ToListAsync(cancellationToken);
        return await alerts.ResolveAsync(db, stale, cancellationToken);
    }
}
