using Docker.DotNet;
using Docker.DotNet.Models;
using Platform.Runtime.Engine;
using Platform.Runtime.Swarm;

namespace Platform.Bench;

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
    private const int WarmUps = 3;

    // The runtime looks at a waking workload this often (EngineRuntime's and SwarmTaskWaiter's wait): the goal allows one.
    private const double PollMs = 100;
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(30);

    public string Id => "P9";
    public string Title => "Wake through the API";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        if (environment.DockerHost is not { } host)
            return [new ResultRow(Id, Title, "skipped", "-", "-", "no DOCKER_HOST (bench/run.sh starts an engine when run as root)")];

        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        await AgentImages.BuildAsync(host);
        var database = await PlatformDatabase.CreateAsync(environment.Postgres);
        await using var dropped = new Finally(() => Sql.DropAsync(database));
        var rows = new List<ResultRow>();
        var options = P9Agent.Options("engine", host);
        using (var runtime = new EngineRuntime(options, NullLogger<EngineRuntime>.Instance))
        using (var client = new DockerClientBuilder().WithEndpoint(new Uri(host)).Build())
        await using (var agent = await P9Agent.StartAsync(environment, database, options, runtime, ct))
        {
            async Task<bool> Running(CancellationToken token) =>
                (await client.Containers.InspectContainerAsync(agent.Workload, token)).State is { Running: true, Paused: false };
            rows.AddRange(await MeasureAsync("engine, from frozen (paused)", "docker unpause", token => runtime.FreezeAsync(agent.Workload, token), "frozen", agent,
                token => client.Containers.UnpauseContainerAsync(agent.Workload, token), Running, ct));
            rows.AddRange(await MeasureAsync("engine, from stopped", "docker start", token => runtime.StopAsync(agent.Workload, token), "stopped", agent,
                token => client.Containers.StartContainerAsync(agent.Workload, new ContainerStartParameters(), token), Running, ct));
        }

        rows.AddRange(await P9StageMemory.MeasureAsync(Id, host, ct));
        await using var swarm = await PrivateDockerEngine.StartSwarmManagerAsync();
        await AgentImages.BuildAsync(swarm.Endpoint);
        using var swarmClient = new DockerClientBuilder().WithEndpoint(new Uri(swarm.Endpoint)).WithTimeout(TimeSpan.FromSeconds(60)).Build();
        rows.AddRange(await SwarmWakesAsync(environment, database, swarm.Endpoint, swarmClient, ct));
        return rows;
    }

    private async Task<IReadOnlyList<ResultRow>> SwarmWakesAsync(BenchEnvironment environment, PlatformDatabase database, string swarmEndpoint, DockerClient swarmClient, CancellationToken ct)
    {
        var options = P9Agent.Options("swarm", swarmEndpoint);
        using var runtime = new SwarmRuntime(options, NullLogger<SwarmRuntime>.Instance);
        await using var agent = await P9Agent.StartAsync(environment, database, options, runtime, ct);
        var tasks = new TasksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [agent.Workload] = true } },
        };
        async Task<bool> Running(CancellationToken token) =>
            (await swarmClient.Tasks.ListAsync(tasks, token)).Any(t => t.DesiredState == TaskState.Running && t.Status?.State == TaskState.Running);

        // What `docker service scale NAME=1` does (read the service, write it with 1 replica), then the tasks until one runs.
        async Task ScaleToOneAsync(CancellationToken token)
        {
            var service = await swarmClient.Swarm.InspectServiceAsync(agent.Workload, token);
            service.Spec!.Mode!.Replicated!.Replicas = 1;
            await swarmClient.Swarm.UpdateServiceAsync(service.ID, new ServiceUpdateParameters { Service = service.Spec, Version = (long)service.Version!.Index!.Value }, token);
            while (!await Running(token)) await Task.Delay(20, token);
        }

        // On a swarm both stages scale to 0; the hibernation sweep writes the stage as stopped.
        return await MeasureAsync("swarm, from 0 replicas", "service scale =1", token => runtime.StopAsync(agent.Workload, token), "stopped", agent, ScaleToOneAsync, Running, ct);
    }

    /// <summary>
    /// Wakes by each side from the same stage (put there untimed; the agent's row marked idle for ours), alternating which
    /// goes first, the first <see cref="WarmUps"/> not counted, each checked to run afterwards; p50 and p99 against the bare
    /// call's (goal: ≤ 1.5× it plus one poll interval).
    /// </summary>
    private async Task<IReadOnlyList<ResultRow>> MeasureAsync(string stage, string bare, Func<CancellationToken, Task> sleep, string idleStage, P9Agent agent,
        Func<CancellationToken, Task> reference, Func<CancellationToken, Task<bool>> running, CancellationToken ct)
    {
        var (ours, bareTimes, failures) = (new List<double>(), new List<double>(), 0);
        async Task<bool> BareAsync() { await reference(ct); return true; }
        for (var i = 0; i < 2 * (WarmUps + Wakes); i++)
        {
            var viaApi = i % 2 == (i / 2) % 2; // each pair of wakes alternates which side goes first
            await sleep(ct);
            if (viaApi) await agent.MarkIdleAsync(idleStage, ct);

            var watch = Stopwatch.StartNew();
            var answered = viaApi ? await agent.WakeAsync(ct) : await BareAsync();
            var elapsed = watch.Elapsed.TotalMilliseconds;
            var ok = answered && await running(ct);
            if (i >= 2 * WarmUps) (viaApi ? ours : bareTimes).Add(elapsed);
            if (i >= 2 * WarmUps && !ok) failures++;
            if (!ok) Console.WriteLine($"P9 {stage}: {(viaApi ? "the API's wake" : bare)} left the workload not running{(answered ? "" : " (no 200 with the agent active)")}");
        }

        Console.WriteLine($"P9 {stage}: ours {string.Join(" ", ours.Select(v => F(v, "0")))}; bare {string.Join(" ", bareTimes.Select(v => F(v, "0")))}");
        return [.. new[] { ("p50", 0.5), ("p99", 0.99) }.Select(p =>
        {
            var (o, r) = (Percentile(ours, p.Item2), Percentile(bareTimes, p.Item2));
            return new ResultRow(Id, $"{Title}, {stage}: {p.Item1} of {ours.Count} vs bare {bare} (Docker API)" + (failures > 0 ? $", {failures} failed" : ""),
                Ms(o), Ms(r), Ratio(o, r), $"≤ 1.5× + {PollMs:0} ms", o <= (1.5 * r) + PollMs && failures == 0);
        })];
    }
}
