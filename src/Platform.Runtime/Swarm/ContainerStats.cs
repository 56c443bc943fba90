using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Platform.Runtime.Swarm;

/// <summary>A one-shot stats sample of a task's container, and the figures <c>docker stats</c> shows from it.</summary>
internal static class ContainerStats
{
    /// <summary>The sample, or null when the engine gave none within <c>Runtime:StatsTimeoutSeconds</c>.</summary>
    public static async Task<ContainerStatsResponse?> SampleAsync(SwarmManager manager, string containerId, ILogger logger, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(manager.Options.StatsTimeoutSeconds));
        var capture = new LastValue<ContainerStatsResponse>();
        try
        {
            await manager.Client.Containers.GetContainerStatsAsync(
                containerId, new ContainerStatsParameters { Stream = false, OneShot = true }, capture, timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(ex, "No stats sample for container {ContainerId}", containerId);
        }

        return capture.Value;
    }

    /// <summary>CPU % between two readings, scaled to the online CPUs as <c>docker stats</c> does; 0 without an earlier one.</summary>
    public static double CpuPercent(ulong? previousTotal, ulong? previousSystem, ulong total, ulong system, CPUStats current)
    {
        if (previousTotal is not { } before || previousSystem is not { } systemBefore || system <= systemBefore || total < before)
        {
            return 0;
        }

        var cpus = current.OnlineCPUs is > 0 and { } online ? online : (uint)Math.Max(1, current.CPUUsage?.PercpuUsage?.Count ?? 1);
        return (double)(total - before) / (system - systemBefore) * cpus * 100.0;
    }

    /// <summary>Usage without the page cache that can be reclaimed, as <c>docker stats</c> shows it.</summary>
    public static double MemoryUsedBytes(MemoryStats? memory)
    {
        if (memory?.Usage is not { } usage)
        {
            return 0;
        }

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

    /// <summary>An <see cref="IProgress{T}"/> that keeps the last value synchronously (Progress&lt;T&gt; posts it later).</summary>
    private sealed class LastValue<T> : IProgress<T>
        where T : class
    {
        private T? _value;

        public T? Value => Volatile.Read(ref _value);

        public void Report(T value) => Volatile.Write(ref _value, value);
    }
}
