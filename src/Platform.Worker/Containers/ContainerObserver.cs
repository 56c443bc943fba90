using System.Collections.Concurrent;
using System.Globalization;
using Docker.DotNet.Models;

namespace Platform.Worker.Containers;

/// <summary>
/// Turns listed agent containers into <see cref="ContainerObservation"/>s: inspects each (state, health,
/// restart count) and, when it runs, takes a one-shot stats sample, <c>Docker:MaxParallelism</c> at a
/// time. Keeps each container's last CPU reading, since a one-shot sample carries none of its own.
/// </summary>
internal sealed class ContainerObserver(DockerConnection docker, ILogger logger)
{
    private readonly ConcurrentDictionary<string, CpuReading> _cpu = new();

    private DockerOptions Options => docker.Options;

    /// <summary>Observations of the containers that carry valid agent/tenant labels and still exist.</summary>
    public async Task<IReadOnlyCollection<ContainerObservation>> ObserveAsync(
        IEnumerable<ContainerListResponse> containers, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var observations = new ConcurrentBag<ContainerObservation>();
        await Parallel.ForEachAsync(
            containers,
            new ParallelOptions { MaxDegreeOfParallelism = Options.MaxParallelism, CancellationToken = cancellationToken },
            async (container, token) =>
            {
                if (await ObserveOneAsync(container, now, token) is { } observation)
                {
                    observations.Add(observation);
                }
            });
        return observations;
    }

    /// <summary>Drops the CPU readings of containers not in <paramref name="current"/>.</summary>
    public void ForgetAllExcept(IReadOnlySet<string> current)
    {
        foreach (var id in _cpu.Keys.Where(id => !current.Contains(id)).ToList())
        {
            _cpu.TryRemove(id, out _);
        }
    }

    private async Task<ContainerObservation?> ObserveOneAsync(ContainerListResponse container, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!TryLabel(container.Labels, ContainerLabels.AgentId, out var agentId) || !TryLabel(container.Labels, ContainerLabels.TenantId, out var tenantId))
        {
            logger.LogDebug("Container {ContainerId} has no valid agent/tenant labels; skipped", container.ID);
            return null;
        }

        var inspect = await docker.TryInspectAsync(container.ID, cancellationToken);
        if (inspect is null)
        {
            return null; // removed since the listing
        }

        var state = inspect.State;
        double cpu = 0, memoryMb = 0;
        double? limitMb = inspect.HostConfig?.Memory > 0 ? inspect.HostConfig.Memory / 1048576.0 : null;
        if (state?.Running == true)
        {
            var stats = await SampleStatsAsync(container.ID, cancellationToken);
            if (stats is not null)
            {
                cpu = CpuPercent(container.ID, stats);
                memoryMb = MemoryUsedBytes(stats.MemoryStats) / 1048576.0;
                if (limitMb is null && stats.MemoryStats is { Limit: > 0 } memory)
                {
                    limitMb = memory.Limit / 1048576.0;
                }
            }
        }

        return new ContainerObservation(
            container.ID,
            agentId,
            tenantId,
            state?.Status ?? container.State ?? "unknown",
            state?.Health?.Status is { Length: > 0 } health && health != "none" ? health : null,
            state?.ExitCode ?? 0,
            state?.OOMKilled ?? false,
            (int)Math.Min(inspect.RestartCount, int.MaxValue),
            ToUtc(inspect.Created),
            cpu,
            memoryMb,
            limitMb,
            now);
    }

    private async Task<ContainerStatsResponse?> SampleStatsAsync(string id, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Options.StatsTimeoutSeconds));
        var capture = new LastValue<ContainerStatsResponse>();
        try
        {
            await docker.Client.Containers.GetContainerStatsAsync(
                id, new ContainerStatsParameters { Stream = false, OneShot = true }, capture, timeout.Token);
            return capture.Value;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(ex, "No stats sample for container {ContainerId}", id);
            return capture.Value;
        }
    }

    /// <summary>
    /// CPU % over the time since the previous sample of the container (one-shot stats carry no
    /// pre-CPU figures), scaled to the online CPUs as <c>docker stats</c> does; 0 for the first sample.
    /// </summary>
    private double CpuPercent(string id, ContainerStatsResponse stats)
    {
        var current = stats.CPUStats;
        if (current?.CPUUsage is null)
        {
            return 0;
        }

        var reading = new CpuReading(current.CPUUsage.TotalUsage, current.SystemUsage);
        CpuReading? previous = stats.PreCPUStats is { SystemUsage: > 0, CPUUsage: not null } pre
            ? new CpuReading(pre.CPUUsage.TotalUsage, pre.SystemUsage)
            : _cpu.TryGetValue(id, out var stored) ? stored : null;
        _cpu[id] = reading;
        if (previous is null || reading.System <= previous.System || reading.Total < previous.Total)
        {
            return 0;
        }

        var cpus = current.OnlineCPUs > 0 ? current.OnlineCPUs : (uint)Math.Max(1, current.CPUUsage.PercpuUsage?.Count ?? 1);
        return (double)(reading.Total - previous.Total) / (reading.System - previous.System) * cpus * 100.0;
    }

    /// <summary>Usage without the page cache that can be reclaimed, as <c>docker stats</c> shows it.</summary>
    private static double MemoryUsedBytes(MemoryStats? memory)
    {
        if (memory is null)
        {
            return 0;
        }

        var usage = memory.Usage;
        if (memory.Stats is { } details)
        {
            if (details.TryGetValue("total_inactive_file", out var v1) && v1 < usage)
            {
                return usage - v1; // cgroup v1
            }

            if (details.TryGetValue("inactive_file", out var v2) && v2 < usage)
            {
                return usage - v2; // cgroup v2
            }
        }

        return usage;
    }

    private static DateTimeOffset ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Unspecified => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)),
        _ => new DateTimeOffset(value.ToUniversalTime()),
    };

    private static bool TryLabel(IDictionary<string, string>? labels, string key, out Guid value)
    {
        value = Guid.Empty;
        return labels is not null && labels.TryGetValue(key, out var text)
            && Guid.TryParse(text, CultureInfo.InvariantCulture, out value) && value != Guid.Empty;
    }

    private sealed record CpuReading(ulong Total, ulong System);
}

/// <summary>An <see cref="IProgress{T}"/> that keeps the last value synchronously (Progress&lt;T&gt; posts it later).</summary>
internal sealed class LastValue<T> : IProgress<T>
    where T : class
{
    private T? _value;

    public T? Value => Volatile.Read(ref _value);

    public void Report(T value) => Volatile.Write(ref _value, value);
}
