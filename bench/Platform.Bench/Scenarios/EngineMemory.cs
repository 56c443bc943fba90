using System.Globalization;

namespace Platform.Bench.Scenarios;

/// <summary>What a set of agents holds in one hibernation stage.</summary>
/// <param name="StatsMib">Their containers' memory as the engine's stats report it (usage without reclaimable cache, as the poller reads it).</param>
/// <param name="CgroupMib">Their memory cgroups' usage as the kernel counts it (cgroup v1; 0 for a container without one).</param>
/// <param name="Shims">The engine's containerd-shim processes: one per container that has a process, running or paused.</param>
/// <param name="ShimPssMib">The shims' proportional set size (shared pages split among them), a cost docker stats does not show.</param>
internal sealed record StageMemory(double StatsMib, double CgroupMib, int Shims, double ShimPssMib)
{
    public double TotalMib => StatsMib + ShimPssMib;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{TotalMib:0} MiB: containers {StatsMib:0} MiB (cgroups {CgroupMib:0}), {Shims} shims {ShimPssMib:0} MiB");
}

/// <summary>
/// The kernel's side of a private engine started by scripts/docker-engine.sh: its containers' memory cgroups, and its
/// shims (found by the engine's exec-root on their command lines).
/// </summary>
internal static class EngineMemory
{
    public static StageMemory Read(string dockerHost, double statsMib, IEnumerable<string> containerIds)
    {
        var cgroupBytes = containerIds.Sum(id => File.Exists($"/sys/fs/cgroup/memory/docker/{id}/memory.usage_in_bytes")
            ? long.Parse(File.ReadAllText($"/sys/fs/cgroup/memory/docker/{id}/memory.usage_in_bytes"), CultureInfo.InvariantCulture) : 0);
        var execRoot = Path.Combine(Path.GetDirectoryName(new Uri(dockerHost).AbsolutePath)!, "exec") + "/";
        var shims = Directory.EnumerateDirectories("/proc")
            .Where(dir => int.TryParse(Path.GetFileName(dir), out _))
            .Where(dir => Read(dir, "cmdline") is { } cmd && cmd.Contains("containerd-shim", StringComparison.Ordinal) && cmd.Contains(execRoot, StringComparison.Ordinal))
            .Select(dir => Read(dir, "smaps_rollup")?.Split('\n').FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal)))
            .Select(line => line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))
            .ToList();
        return new StageMemory(statsMib, cgroupBytes / 1048576.0, shims.Count, shims.Sum() / 1024.0);
    }

    private static string? Read(string dir, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, file));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // exited meanwhile
        }
    }
}
