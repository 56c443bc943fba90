using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Runtime;
using Platform.Runtime.Engine;
using static Platform.Bench.Scenarios.Formatting;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P9's memory rows: 50 agents on the engine backend (the holding image: a shell with 8 MB), created, frozen and
/// stopped through the runtime, the engine's and the kernel's figures read at each stage (<see cref="EngineMemory"/>).
/// </summary>
internal static class P9StageMemory
{
    private const int Agents = 50;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public static async Task<IReadOnlyList<ResultRow>> MeasureAsync(string id, string host, CancellationToken ct)
    {
        var options = new RuntimeOptions
        {
            Endpoint = host,
            Scope = "bench-p9m-" + Guid.NewGuid().ToString("N")[..8],
            AgentImage = AgentImages.Holding,
            StopGracePeriodSeconds = 2,
        };
        using var runtime = new EngineRuntime(options, NullLogger<EngineRuntime>.Instance);
        var workloads = new ConcurrentBag<string>();
        var each = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct };
        try
        {
            var engineAlone = await ReadAsync(runtime, host, "no agents", workloads, ct);
            await Parallel.ForEachAsync(Enumerable.Range(0, Agents), each, async (_, token) =>
                workloads.Add(await runtime.CreateAsync(new AgentWorkloadSpec(Guid.NewGuid(), Guid.NewGuid(), new Dictionary<string, string>(), 0.5m, 64), token)));
            var active = await ReadAsync(runtime, host, "active", workloads, ct);
            await Parallel.ForEachAsync(workloads, each, async (workload, token) => await runtime.FreezeAsync(workload, token));
            var frozen = await ReadAsync(runtime, host, "frozen", workloads, ct);
            await Parallel.ForEachAsync(workloads, each, async (workload, token) => await runtime.StopAsync(workload, token));
            var stopped = await ReadAsync(runtime, host, "stopped", workloads, ct);

            var stoppedShare = stopped.AgentsMib / active.AgentsMib;
            return
            [
                new ResultRow(id, $"Memory of {Agents} agents active (8 MB each held by its shell)", active.Describe(Agents),
                    $"engine alone: dockerd + containerd {F(engineAlone.DaemonsRssMib, "0")} MiB RSS", "-", "(context)"),
                new ResultRow(id, $"Memory of {Agents} agents frozen (docker pause) vs active", frozen.Describe(Agents), $"{F(active.AgentsMib, "0")} MiB",
                    ResultsTable.Ratio(frozen.AgentsMib, active.AgentsMib), "(context: pause frees CPU only)"),
                new ResultRow(id, $"Memory of {Agents} agents stopped vs active", stopped.Describe(Agents), $"{F(active.AgentsMib, "0")} MiB",
                    ResultsTable.Ratio(stopped.AgentsMib, active.AgentsMib), "≤ 0.05× (stopping frees it)", stoppedShare <= 0.05),
            ];
        }
        finally
        {
            foreach (var workload in workloads)
            {
                await runtime.RemoveAsync(workload, CancellationToken.None);
            }
        }
    }

    /// <summary>After a short settling time: the runtime's own observation (engine stats) and the kernel's figures.</summary>
    private static async Task<StageMemory> ReadAsync(EngineRuntime runtime, string host, string stage, IEnumerable<string> workloads, CancellationToken ct)
    {
        await Task.Delay(Settle, ct);
        var observed = await runtime.ObserveAsync(await runtime.ListAsync(ct), DateTimeOffset.UtcNow, ct);
        var memory = EngineMemory.Read(stage, host, observed.Sum(o => o.MemoryMb), workloads);
        Console.WriteLine($"P9 memory, {stage}: {memory.Describe(Math.Max(1, observed.Count))} ({observed.Count} containers, " +
            $"{string.Join(", ", observed.GroupBy(o => o.State).Select(g => $"{g.Count()} {g.Key}"))})");
        return memory;
    }
}
