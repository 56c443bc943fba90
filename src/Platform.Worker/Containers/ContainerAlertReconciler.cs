using Microsoft.EntityFrameworkCore;
using Platform.Data;

namespace Platform.Worker.Containers;

/// <summary>What applying a sweep's alerts changed.</summary>
internal sealed record AlertOutcome(int Opened, int Resolved, int AgentsChanged);

/// <summary>
/// Makes the open container alerts match a sweep: opens the alerts its samples call for, resolves the
/// ones they no longer do and those of containers that are gone, and lets the agents' status follow.
/// </summary>
internal sealed class ContainerAlertReconciler(DockerConnection docker, AlertStore alerts, ILogger logger)
{
    /// <param name="listed">Every container the sweep listed, recorded or not.</param>
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
                logger.LogWarning("Alert {Kind} opened for container {ContainerId} of agent {AgentId}", alert.Kind, observation.ContainerId, observation.AgentId);
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
    /// Open container alerts of containers that no longer exist: resolved (the condition cannot hold any
    /// more). Containers listed in this scope are skipped, and the engine is asked about the others so
    /// containers of another scope on the same engine keep their alerts.
    /// </summary>
    private async Task<IReadOnlyList<Guid?>> ResolveVanishedAsync(PlatformDbContext db, HashSet<string> listed, CancellationToken cancellationToken)
    {
        var kinds = AlertRules.ContainerKinds.ToArray();
        var candidates = (await db.Alerts.AsNoTracking()
                .Where(a => a.ResolvedAt == null && a.ContainerId != null && a.ContainerId.Length == 64 && kinds.Contains(a.Kind))
                .Select(a => new { a.Fingerprint, ContainerId = a.ContainerId! })
                .ToListAsync(cancellationToken))
            .Where(a => !listed.Contains(a.ContainerId) && a.ContainerId.All(char.IsAsciiHexDigitLower))
            .ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        var gone = new List<string>();
        foreach (var group in candidates.GroupBy(c => c.ContainerId, StringComparer.Ordinal))
        {
            if (await docker.TryInspectAsync(group.Key, cancellationToken) is null)
            {
                gone.AddRange(group.Select(c => c.Fingerprint));
            }
        }

        return await alerts.ResolveAsync(db, gone, cancellationToken);
    }
}
