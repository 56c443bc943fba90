using System.Collections.Concurrent;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Platform.Runtime.Docker;

namespace Platform.Runtime.Engine;

/// <summary>
/// Observes agent containers: inspects each (state, health, restart count) and, when it runs, takes a one-shot stats
/// sample, <c>Runtime:MaxParallelism</c> at a time. Keeps each container's last CPU reading, since a one-shot sample
/// carries none of its own (CPU % is measured between consecutive observations).
/// </summary>
internal sealed class EngineObserver(EngineConnection engine, ILogger logger)
{
    // A reading not refreshed for this long belongs to a container that is gone (or to a caller that no longer polls).
    private static readonly TimeSpan ReadingLifetime = TimeSpan.FromHours(2);
    private readonly ConcurrentDictionary<string, CpuReading> _cpu = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<WorkloadObservation>> ObserveAsync(
        IReadOnlyCollection<AgentWorkload> workloads, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var observations = new ConcurrentBag<WorkloadObservation>();
        await Parallel.ForEachAsync(
            workloads,
            new ParallelOptions { MaxDegreeOfParallelism = engine.Options.MaxParallelism, CancellationToken = cancellationToken },
            async (workload, token) =>
            {
                if (await ObserveOneAsync(workload, now, token) is { } observation)
                {
                    observations.Add(observation);
                }
            });

        foreach (var (id, reading) in _cpu)
        {
            if (now - reading.At > ReadingLifetime)
            {
                _cpu.TryRemove(id, out _);
            }
        }

        return [.. observations.OrderBy(o => o.WorkloadId, StringComparer.Ordinal)];
    }

    private async Task<WorkloadObservation?> ObserveOneAsync(AgentWorkload workload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var inspect = await engine.TryInspectOwnAsync(workload.Id, cancellationToken);
        if (inspect?.State is not { } state)
        {
            return null; // removed since the listing
        }

        double cpu = 0, memoryMb = 0;
        double? limitMb = inspect.HostConfig?.Memory > 0 ? inspect.HostConfig.Memory / 1048576.0 : null;
        // A frozen (paused) container still holds its memory: it is sampled too.
        if (state.Running && await SampleStatsAsync(inspect.ID, cancellationToken) is { } stats)
        {
            cpu = CpuPercent(inspect.ID, stats, now);
            memoryMb = DockerStats.MemoryUsedBytes(stats.MemoryStats) / 1048576.0;
            if (limitMb is null && stats.MemoryStats is { Limit: > 0 } memory)
            {
                limitMb = memory.Limit.Value / 1048576.0;
            }
        }

        return new WorkloadObservation(
            inspect.ID,
            workload.AgentId,
            workload.TenantId,
            EngineContainers.State(state.Status, state.Paused),
            state.Health?.Status is { Length: > 0 } health && health != "none" ? health : null,
            state.ExitCode,
            state.OOMKilled,
            (int)Math.Min(inspect.RestartCount, int.MaxValue),
            EngineContainers.ToUtc(inspect.Created),
            cpu,
            memoryMb,
            limitMb,
            now);
    }

    private async Task<ContainerStatsResponse?> SampleStatsAsync(string id, CancellationToken cancellationToken)
    {
        var capture = new LastValue<ContainerStatsResponse>();
        try
        {
            await engine.CallAsync(
                (client, token) => client.Containers.GetContainerStatsAsync(id, new ContainerStatsParameters { Stream = false, OneShot = true }, capture, token),
                cancellationToken,
                TimeSpan.FromSeconds(engine.Options.StatsTimeoutSeconds));
        }
        catch (Exception ex) when (ex is RuntimeUnavailableException or RuntimeOperationException)
        {
            logger.LogDebug(ex, "No stats sample for container {ContainerId}", id);
        }

        return capture.Value;
    }

    /// <summary>
    /// CPU % over the time since the previous sample of the container, scaled to the online CPUs as <c>docker stats</c>
    /// does; 0 for the first sample.
    /// </summary>
    private double CpuPercent(string id, ContainerStatsResponse stats, DateTimeOffset now)
    {
        if (stats.CPUStats is not { CPUUsage: not null } current)
        {
            return 0;
        }

        var reading = new CpuReading(current.CPUUsage.TotalUsage, current.SystemUsage ?? 0, now);
        CpuReading? previous = stats.PreCPUStats is { SystemUsage: > 0, CPUUsage: not null } pre
            ? new CpuReading(pre.CPUUsage.TotalUsage, pre.SystemUsage.Value, now)
            : _cpu.TryGetValue(id, out var stored) ? stored : null;
        _cpu[id] = reading;
        return DockerStats.CpuPercent(previous?.Total, previous?.System, reading.Total, reading.System, current);
    }

    private sealed record CpuReading(ulong Total, ulong System, DateTimeOffset At);
}
