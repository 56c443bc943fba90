using System.Globalization;

namespace Platform.Bench.Scenarios;

/// <summary>What one hibernation stage of a set of agents costs in memory, from the engine's and the kernel's figures.</summary>
/// <param name="StatsMib">The containers' memory as the engine's stats report it (usage without reclaimable cache, as the poller reads it).</param>
/// <param name="CgroupMib">The containers' memory cgroups' usage, as the kernel counts it; NaN where they cannot be read.</param>
/// <param name="Shims">The engine's containerd-shim processes (one per container that has a process, running or paused).</param>
/// <param name="ShimPssMib">Their proportional set size (shared pages split among them).</param>
/// <param name="DaemonsRssMib">dockerd and containerd of this engine, resident.</param>
internal sealed record StageMemory(string Stage, double StatsMib, double CgroupMib, int Shims, double ShimPssMib, double DaemonsRssMib)
{
    /// <summary>What the agents themselves hold: their containers and the shim each one keeps.</summary>
    public double AgentsMib => StatsMib + ShimPssMib;

    public string Describe(int agents) => string.Create(CultureInfo.InvariantCulture,
        $"{AgentsMib:0} MiB: containers {StatsMib:0} MiB (cgroups {CgroupMib:0}), {Shims} shims {ShimPssMib:0} MiB PSS; " +
        $"per agent {AgentsMib / agents:0.0} MiB; dockerd + containerd {DaemonsRssMib:0} MiB RSS");
}

/// <summary>
/// Reads the memory figures of a private engine started by scripts/docker-engine.sh (its state folder holds its socket
/// and exec-root, which its containerd and shims name on their command lines) from /proc and the memory cgroups.
/// </summary>
internal static class EngineMemory
{
    public static StageMemory Read(string stage, string dockerHost, double statsMib, IEnumerable<string> containerIds)
    {
        var cgroup = containerIds.Select(CgroupBytes).ToList();
        var state = dockerHost.StartsWith("unix://", StringComparison.Ordinal) ? Path.GetDirectoryName(dockerHost["unix://".Length..]) : null;
        var (shims, shimPss, daemons) = (0, 0L, 0L);
        foreach (var (pid, commandLine) in state is null ? [] : Processes())
        {
            if (commandLine.Contains("containerd-shim", StringComparison.Ordinal) && commandLine.Contains(state + "/exec/", StringComparison.Ordinal))
            {
                shims++;
                shimPss += Kilobytes(pid, "smaps_rollup", "Pss:");
            }
            else if ((commandLine.StartsWith("dockerd", StringComparison.Ordinal) && commandLine.Contains(dockerHost, StringComparison.Ordinal))
                || (commandLine.StartsWith("containerd ", StringComparison.Ordinal) && commandLine.Contains(state + "/exec/", StringComparison.Ordinal)))
            {
                daemons += Kilobytes(pid, "status", "VmRSS:");
            }
        }

        var cgroupMib = cgroup.Any(b => b is null) ? double.NaN : cgroup.Sum(b => b!.Value) / 1048576.0;
        return new StageMemory(stage, statsMib, cgroupMib, shims, shimPss / 1024.0, daemons / 1024.0);
    }

    /// <summary>The container's memory cgroup usage (cgroup v1 or v2, cgroupfs or systemd driver); 0 once it has no cgroup (stopped).</summary>
    private static long? CgroupBytes(string id)
    {
        string[] candidates =
        [
            $"/sys/fs/cgroup/memory/docker/{id}/memory.usage_in_bytes",
            $"/sys/fs/cgroup/memory/system.slice/docker-{id}.scope/memory.usage_in_bytes",
            $"/sys/fs/cgroup/docker/{id}/memory.current",
            $"/sys/fs/cgroup/system.slice/docker-{id}.scope/memory.current",
        ];
        if (candidates.FirstOrDefault(File.Exists) is { } file)
        {
            return long.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);
        }

        // No cgroup for it: stopped (the engine removes it), or a layout this machine does not have.
        return Directory.Exists("/sys/fs/cgroup/memory/docker") || Directory.Exists("/sys/fs/cgroup/docker") ? 0 : null;
    }

    private static IEnumerable<(int Pid, string CommandLine)> Processes()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            yield return (pid, Path.GetFileName(commandLine.Split(' ')[0]) + commandLine[commandLine.Split(' ')[0].Length..]);
        }
    }

    private static long Kilobytes(int pid, string file, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/{file}").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0; // exited meanwhile
        }
    }
}
