using Docker.DotNet.Models;

namespace Platform.Runtime.Docker;

/// <summary>The figures <c>docker stats</c> shows from a container's stats sample, the same for both backends.</summary>
internal static class DockerStats
{
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
}
