using Platform.Runtime;
using Platform.Runtime.Engine;

namespace Platform.Bench;

/// <summary>
/// P9's memory rows: 50 agents on the engine backend (the holding image: a shell with 8 MB), created, frozen and
/// stopped through the runtime. At each stage: their containers' memory as the runtime observes it (engine stats, as the
/// poller reads it) plus the proportional set size of the engine's containerd shims (one per container with a process,
/// running or paused; found by the engine's exec-root on their command lines), a cost docker stats does not show.
/// </summary>
internal static class P9StageMemory
{
    private const int Agents = 50;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public static async Task<IReadOnlyList<ResultRow>> MeasureAsync(string id, string host, CancellationToken ct)
    {
        using var runtime = new EngineRuntime(P9Agent.Options("engine", host), NullLogger<EngineRuntime>.Instance);
        var workloads = new ConcurrentBag<string>();
        var each = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct };
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, Agents), each, async (_, token) =>
                workloads.Add(await runtime.CreateAsync(new AgentWorkloadSpec(Guid.NewGuid(), Guid.NewGuid(), new Dictionary<string, string>(), 0.5m, 64), token)));
            var active = await ReadAsync(runtime, host, "active", ct);
            await Parallel.ForEachAsync(workloads, each, async (workload, token) => await runtime.FreezeAsync(workload, token));
            var frozen = await ReadAsync(runtime, host, "frozen", ct);
            await Parallel.ForEachAsync(workloads, each, async (workload, token) => await runtime.StopAsync(workload, token));
            var stopped = await ReadAsync(runtime, host, "stopped", ct);

            string PerAgent(double mib) => $"{F(mib, "0")} MiB; {F(mib / Agents)} MiB per agent";
            return
            [
                new ResultRow(id, $"Memory of {Agents} agents frozen (docker pause) vs active (each shell holds 8 MB)", PerAgent(frozen), PerAgent(active),
                    Ratio(frozen, active), "(context: pause frees CPU only)"),
                new ResultRow(id, $"Memory of {Agents} agents stopped vs active", PerAgent(stopped), PerAgent(active),
                    Ratio(stopped, active), "≤ 0.05× (stopping frees it)", stopped <= 0.05 * active),
            ];
        }
        finally
        {
            foreach (var workload in workloads) await runtime.RemoveAsync(workload, CancellationToken.None);
        }
    }

    /// <summary>The containers' memory (engine stats) plus the shims' proportional set size, in MiB.</summary>
    private static async Task<double> ReadAsync(EngineRuntime runtime, string host, string stage, CancellationToken ct)
    {
        await Task.Delay(Settle, ct);
        var stats = (await runtime.ObserveAsync(await runtime.ListAsync(ct), DateTimeOffset.UtcNow, ct)).Sum(o => o.MemoryMb);
        var execRoot = Path.Combine(Path.GetDirectoryName(new Uri(host).AbsolutePath)!, "exec") + "/";
        var shims = Directory.EnumerateDirectories("/proc").Where(dir => int.TryParse(Path.GetFileName(dir), out _))
            .Where(dir => ReadProc(dir, "cmdline") is { } cmd && cmd.Contains("containerd-shim", StringComparison.Ordinal) && cmd.Contains(execRoot, StringComparison.Ordinal))
            .Select(dir => ReadProc(dir, "smaps_rollup")?.Split('\n').FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal)))
            .Select(line => line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0).ToList();
        Console.WriteLine($"P9 memory, {stage}: containers {F(stats, "0")} MiB, {shims.Count} shims {F(shims.Sum(), "0")} MiB");
        return stats + shims.Sum();
    }

    private static string? ReadProc(string dir, string file)
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
