using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Runtime;
using Platform.Runtime.Engine;
using Platform.Runtime.Swarm;
using Platform.Tests.Support;
using static Platform.Bench.Scenarios.Formatting;
using static Platform.Bench.Scenarios.Statistics;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P9: waking an idle agent through <c>POST /agents/{id}/wake</c> (a Release API on the runtime; it answers once the
/// agent is active and its workload runs, which is checked after every wake) against the bare Docker API call that
/// wakes the same workload from the same stage, both timed in this process from request to answer (HttpClient;
/// Docker.DotNet, the library the runtime uses): the engine backend from frozen (<c>unpause</c>) and from stopped
/// (<c>start</c>), and a swarm's from 0 replicas (the service updated to 1 replica, its tasks then polled every
/// 20 ms until one runs). Then the memory of 50 agents in each stage (<see cref="P9StageMemory"/>).
/// </summary>
public sealed class P9Hibernation : IScenario
{
    private const int Wakes = 30;

    // The runtime looks at a waking workload this often (EngineRuntime's and SwarmTaskWaiter's wait): the goal allows one.
    private const double PollMs = 100;
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(30);

    public string Id => "P9";

    public string Title => "Wake through the API";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        if (environment.DockerHost is not { Length: > 0 } host)
        {
            return [new ResultRow(Id, Title, "skipped", "-", "-", "no DOCKER_HOST (bench/run.sh starts an engine when run as root)")];
        }

        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        await AgentImages.BuildAsync(host);
        var database = await PlatformDatabase.CreateAsync(environment.Postgres);
        try
        {
            var rows = new List<ResultRow>();
            rows.AddRange(await EngineWakesAsync(environment, database, host, ct));
            rows.AddRange(await P9StageMemory.MeasureAsync(Id, host, ct));
            await using (var swarm = await PrivateSwarm.StartAsync())
            {
                rows.AddRange(await SwarmWakesAsync(environment, database, swarm, ct));
            }

            return rows;
        }
        finally
        {
            await Sql.DropAsync(database);
        }
    }

    private async Task<IReadOnlyList<ResultRow>> EngineWakesAsync(BenchEnvironment environment, PlatformDatabase database, string host, CancellationToken ct)
    {
        var options = P9Agent.Options("engine", host);
        using var runtime = new EngineRuntime(options, NullLogger<EngineRuntime>.Instance);
        using var client = new DockerClientBuilder().WithEndpoint(new Uri(host)).Build();
        await using var agent = await P9Agent.StartAsync(environment, database, options, runtime, ct);
        async Task<bool> Running(CancellationToken token) =>
            (await client.Containers.InspectContainerAsync(agent.Workload, token)).State is { Running: true, Paused: false };

        var frozen = await P9WakeLoop.MeasureAsync("engine, frozen", new WakeSides(
            token => runtime.FreezeAsync(agent.Workload, token), token => agent.MarkIdleAsync("frozen", token), agent.WakeAsync,
            token => client.Containers.UnpauseContainerAsync(agent.Workload, token), Running), Wakes, ct);
        var stopped = await P9WakeLoop.MeasureAsync("engine, stopped", new WakeSides(
            token => runtime.StopAsync(agent.Workload, token), token => agent.MarkIdleAsync("stopped", token), agent.WakeAsync,
            token => client.Containers.StartContainerAsync(agent.Workload, new ContainerStartParameters(), token), Running), Wakes, ct);
        return
        [
            .. Rows("engine, from frozen (paused)", "docker unpause", frozen),
            .. Rows("engine, from stopped", "docker start", stopped),
        ];
    }

    private async Task<IReadOnlyList<ResultRow>> SwarmWakesAsync(BenchEnvironment environment, PlatformDatabase database, PrivateSwarm swarm, CancellationToken ct)
    {
        var options = P9Agent.Options("swarm", swarm.Endpoint);
        using var runtime = new SwarmRuntime(options, NullLogger<SwarmRuntime>.Instance);
        await using var agent = await P9Agent.StartAsync(environment, database, options, runtime, ct);
        var tasks = new TasksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [agent.Workload] = true } },
        };
        async Task<bool> Running(CancellationToken token) =>
            (await swarm.Client.Tasks.ListAsync(tasks, token)).Any(t => t.DesiredState == TaskState.Running && t.Status?.State == TaskState.Running);

        // What `docker service scale NAME=1` does (read the service, write it with 1 replica), then the tasks until one runs.
        async Task ScaleToOneAsync(CancellationToken token)
        {
            var service = await swarm.Client.Swarm.InspectServiceAsync(agent.Workload, token);
            service.Spec!.Mode!.Replicated!.Replicas = 1;
            await swarm.Client.Swarm.UpdateServiceAsync(service.ID, new ServiceUpdateParameters { Service = service.Spec, Version = (long)service.Version!.Index!.Value }, token);
            while (!await Running(token))
            {
                await Task.Delay(20, token);
            }
        }

        // On a swarm both stages scale to 0; the hibernation sweep writes the stage as stopped.
        var scaled = await P9WakeLoop.MeasureAsync("swarm, 0 replicas", new WakeSides(
            token => runtime.StopAsync(agent.Workload, token), token => agent.MarkIdleAsync("stopped", token), agent.WakeAsync, ScaleToOneAsync, Running), Wakes, ct);
        return [.. Rows("swarm, from 0 replicas", "service scale =1", scaled)];
    }

    /// <summary>p50 and p99 against the bare call's (goal: ≤ 1.5× it plus one poll interval).</summary>
    private IEnumerable<ResultRow> Rows(string stage, string bare, WakeTimes times) =>
        new[] { ("p50", 0.5), ("p99", 0.99) }.Select(percentile =>
        {
            var (ours, reference) = (Percentile(times.Ours, percentile.Item2), Percentile(times.Reference, percentile.Item2));
            return new ResultRow(Id, $"{Title}, {stage}: {percentile.Item1} of {times.Ours.Count} vs bare {bare} (Docker API)" + (times.Failures > 0 ? $", {times.Failures} failed" : ""),
                Ms(ours), Ms(reference), ResultsTable.Ratio(ours, reference), $"≤ 1.5× + {PollMs:0} ms", ours <= (1.5 * reference) + PollMs && times.Failures == 0);
        });
}
