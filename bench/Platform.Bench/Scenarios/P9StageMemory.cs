using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Runtime;
using Platform.Runtime.Engine;
using static Platform.Bench.Scenarios.Formatting;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P9's memory rows: 50 agents on the engine backend (the holding image: a shell with 8 MB), created, frozen and
/// stopped through the runtime; at each stage the runtime's own observation (engine stats), the memory cgroups and the shims.
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
            var active = await ReadAsync(runtime, host, "active", workloads, ct);
            await Parallel.ForEachAsync(workloads, each, async (workload, token) => await runtime.FreezeAsync(workload, token));
            var frozen = await ReadAsync(runtime, host, "frozen", workloads, ct);
            await Parallel.ForEachAsync(workloads, each, async (workload, token) => await runtime.StopAsync(workload, token));
            var stopped = await ReadAsync(runtime, host, "stopped", workloads, ct);

            string PerAgent(StageMemory stage) => $"{stage}; {F(stage.TotalMib / Agents)} MiB per agent";
            return
            [
                new ResultRow(id, $"Memory of {Agents} agents active (each shell holds 8 MB)", PerAgent(active), "-", "-", "(context)"),
                new ResultRow(id, $"Memory of {Agents} agents frozen (docker pause) vs active", PerAgent(frozen), $"{F(active.TotalMib, "0")} MiB",
                    ResultsTable.Ratio(frozen.TotalMib, active.TotalMib), "(context: pause frees CPU only)"),
                new ResultRow(id, $"Memory of {Agents} agents stopped vs active", PerAgent(stopped), $"{F(active.TotalMib, "0")} MiB",
                    ResultsTable.Ratio(stopped.TotalMib, active.TotalMib), "≤ 0.05× (stopping frees it)", stopped.TotalMib <= 0.05 * active.TotalMib),
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

    private static async Task<StageMemory> ReadAsync(EngineRuntime runtime, string host, string stage, IEnumerable<string> workloads, CancellationToken ct)
    {
        await Task.Delay(Settle, ct);
        var observed = await runtime.ObserveAsync(await runtime.ListAsync(ct), DateTimeOffset.UtcNow, ct);
        var memory = EngineMemory.Read(host, observed.Sum(o => o.MemoryMb), workloads);
        Console.WriteLine($"P9 memory, {stage}: {memory} ({string.Join(", ", observed.GroupBy(o => o.State).Select(g => $"{g.Count()} {g.Key}"))})");
        return memory;
    }
}
