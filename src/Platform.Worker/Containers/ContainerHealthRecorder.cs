using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Runtime;

namespace Platform.Worker.Containers;

/// <summary>The containers one sweep recorded, and the alerts their samples call for.</summary>
internal sealed record RecordedSweep(
    IReadOnlyList<WorkloadObservation> Known,
    IReadOnlyList<(WorkloadObservation Observation, DesiredAlert Alert)> Desired)
{
    public string[] ContainerIds { get; } = Known.Select(o => o.WorkloadId).ToArray();
}

/// <summary>
/// Writes one raw container_health row per observed container of an existing agent, all in one batch,
/// each classified by the <see cref="AlertRules"/> evaluated over the container's recent samples. A hibernating
/// agent's frozen or stopped workload is recorded as healthy and calls for no alert.
/// </summary>
internal sealed class ContainerHealthRecorder(RuntimeLoopOptions options)
{
    public async Task<RecordedSweep> RecordAsync(
        PlatformDbContext db,
        IReadOnlyCollection<WorkloadObservation> observations,
        DateTimeOffset now,
        AlertThresholds thresholds,
        CancellationToken cancellationToken)
    {
        // Only containers of existing agents (of the tenant on the label) are recorded and alerted on;
        // the others are orphans, which the provisioner removes.
        var agentIds = observations.Select(o => o.AgentId).Distinct().ToArray();
        var agents = await db.Agents.AsNoTracking()
            .Where(a => agentIds.Contains(a.Id))
            .Select(a => new { a.Id, a.TenantId, a.Status, a.IdleStage })
            .ToDictionaryAsync(a => a.Id, cancellationToken);
        var known = observations
            .Where(o => agents.TryGetValue(o.AgentId, out var agent) && agent.TenantId == o.TenantId)
            .OrderBy(o => o.WorkloadId, StringComparer.Ordinal)
            .ToList();

        var containerIds = known.Select(o => o.WorkloadId).ToArray();
        var since = now - LookBack(thresholds);
        var history = (await db.ContainerHealth.AsNoTracking()
                .Where(h => h.Resolution == HealthResolution.Raw && containerIds.Contains(h.ContainerId) && h.RecordedAt >= since)
                .Select(h => new { h.ContainerId, h.RecordedAt, h.RestartCount, h.MemoryMb, h.MemoryLimitMb })
                .ToListAsync(cancellationToken))
            .ToLookup(h => h.ContainerId, h => new ContainerHealthSample(h.RecordedAt, h.RestartCount, h.MemoryMb, h.MemoryLimitMb), StringComparer.Ordinal);

        var desired = new List<(WorkloadObservation Observation, DesiredAlert Alert)>();
        foreach (var observation in known)
        {
            var agent = agents[observation.AgentId];
            var hibernating = AlertRules.IsHibernating(observation, agent.Status, agent.IdleStage);
            IReadOnlyList<DesiredAlert> wanted = hibernating ? [] : AlertRules.Evaluate(observation, history[observation.WorkloadId].ToList(), thresholds);
            desired.AddRange(wanted.Select(a => (observation, a)));
            db.ContainerHealth.Add(new ContainerHealth
            {
                TenantId = observation.TenantId,
                AgentId = observation.AgentId,
                ContainerId = observation.WorkloadId,
                Status = AlertRules.Classify(observation, wanted.Count > 0, hibernating),
                CpuPercent = Math.Round(observation.CpuPercent, 3),
                MemoryMb = Math.Round(observation.MemoryMb, 3),
                MemoryLimitMb = observation.MemoryLimitMb is { } limit ? Math.Round(limit, 3) : null,
                RestartCount = observation.RestartCount,
                SampleCount = 1,
                Resolution = HealthResolution.Raw,
                RecordedAt = now,
            });
        }

        // One SaveChanges for the whole sweep: a single batched round trip however many containers there are.
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return new RecordedSweep(known, desired);
    }

    /// <summary>How far back samples are read: the restart window, or enough polls for the memory rule.</summary>
    private TimeSpan LookBack(AlertThresholds thresholds)
    {
        var forMemory = options.PollInterval * (thresholds.MemoryPressureSamples + 1);
        var window = thresholds.RestartLoopWindow > forMemory ? thresholds.RestartLoopWindow : forMemory;
        return window + options.PollInterval * 2;
    }
}
