using System.Diagnostics;
using System.Globalization;
using Docker.DotNet;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Runtime;
using Platform.Runtime.Engine;
using Platform.Tests.Support;
using Platform.Worker.Containers;
using static Platform.Bench.Scenarios.Formatting;
using static Platform.Bench.Scenarios.P6AgentContainers;
using static Platform.Bench.Scenarios.Statistics;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P6: one Docker poll sweep of 100 running agent containers (DockerPoller.PollOnceAsync: list, inspect
/// and one-shot stats of each, one batch of container_health rows, alerts) against
/// <c>docker stats --no-stream</c> of the same containers, both on the engine in DOCKER_HOST; median of 3
/// each, at the default MaxParallelism (32, which carries the goal) and at 8 for comparison. Then the real poller
/// loop (15 s interval, ~45 s) at the default, with this process's CPU time sampled over the idle windows between its sweeps.
/// </summary>
public sealed class P6DockerPoll : IScenario
{
    private const int Runs = 3;
    private const int LoopIntervalSeconds = 15;
    private const int LoopIdleWindows = 3;
    private static readonly int DefaultParallelism = new RuntimeOptions().MaxParallelism;
    private static readonly int[] Parallelisms = [DefaultParallelism, 8];
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(10);

    public string Id => "P6";

    public string Title => "Docker poll sweep of 100 containers";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        if (environment.DockerHost is not { Length: > 0 } host)
        {
            return [new ResultRow(Id, Title, "skipped", "-", "-", "no DOCKER_HOST (bench/run.sh starts an engine when run as root)")];
        }

        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        var scope = "bench-p6-" + Guid.NewGuid().ToString("N")[..8];
        var dockerEnvironment = new Dictionary<string, string> { ["DOCKER_HOST"] = host };
        Console.WriteLine($"P6: engine {host}, scope {scope}");
        Console.WriteLine("P6: " + (await Tools.RunAsync("bash", [Path.Combine(BenchEnvironment.RepositoryRoot, "scripts", "build-agent-image.sh")], dockerEnvironment)).Trim());

        using var client = new DockerClientBuilder().WithEndpoint(new Uri(host)).WithTimeout(TimeSpan.FromSeconds(60)).Build();
        var created = new Dictionary<Guid, string>();
        try
        {
            // A database of its own: the tenants and agents the containers are labelled with.
            var database = await PlatformDatabase.CreateAsync(environment.Postgres);
            var agents = await InsertAgentsAsync(database, ct);
            var watch = Stopwatch.StartNew();
            await CreateContainersAsync(client, scope, agents, created, ct);
            Console.WriteLine($"P6: {created.Count} containers started in {watch.Elapsed.TotalSeconds:0.0} s");
            await RecordContainerIdsAsync(database, created, ct);

            var dbOptions = new DbContextOptionsBuilder<PlatformDbContext>();
            PlatformDbContext.Configure(dbOptions, database.AppConnectionString);
            var ids = created.Values.ToArray();

            await DockerStatsAsync(ids, dockerEnvironment); // warm-up of the engine's stats path
            var rows = new List<ResultRow>();
            foreach (var parallelism in Parallelisms.Distinct())
            {
                rows.Add(await CompareSweepsAsync(host, scope, parallelism, dbOptions.Options, ids, dockerEnvironment, ct));
            }

            rows.AddRange(await MeasureLoopAsync(host, scope, DefaultParallelism, dbOptions.Options, ct));
            return rows;
        }
        finally
        {
            string[] started;
            lock (created)
            {
                started = [.. created.Values];
            }

            await RemoveContainersAsync(client, scope, started);
        }
    }

    /// <summary>Sweeps and docker stats interleaved, one warm-up sweep first; the median of each.</summary>
    private async Task<ResultRow> CompareSweepsAsync(
        string host, string scope, int parallelism, DbContextOptions<PlatformDbContext> dbOptions, string[] ids,
        IDictionary<string, string> dockerEnvironment, CancellationToken ct)
    {
        var options = Options(host, scope, parallelism);
        using var runtime = new EngineRuntime(options, NullLogger<EngineRuntime>.Instance);
        using var poller = new DockerPoller(runtime, MsOptions.Create(options), MsOptions.Create(new RuntimeLoopOptions()), dbOptions,
            new AlertStore(TimeProvider.System), new StderrWarningLogger<DockerPoller>(), TimeProvider.System);
        var warmUp = await poller.PollOnceAsync(ct);
        Console.WriteLine($"P6: warm-up sweep at parallelism {parallelism}: {warmUp.Elapsed.TotalMilliseconds:0} ms, {warmUp.Samples} samples");

        var ours = new List<double>();
        var reference = new List<double>();
        var problems = new List<string>();
        for (var i = 0; i < Runs; i++)
        {
            var watch = Stopwatch.StartNew();
            var sweep = await poller.PollOnceAsync(ct);
            watch.Stop();
            ours.Add(watch.Elapsed.TotalMilliseconds);
            if (!sweep.Reachable || sweep.Skipped || sweep.Samples != Containers || sweep.AlertsOpened > 0)
            {
                problems.Add($"sweep {i + 1}: reachable {sweep.Reachable}, skipped {sweep.Skipped}, {sweep.Containers} containers, {sweep.Samples} samples, {sweep.AlertsOpened} alerts opened {sweep.Error}");
            }

            reference.Add(await DockerStatsAsync(ids, dockerEnvironment));
            Console.WriteLine($"P6: parallelism {parallelism}, run {i + 1}: sweep {ours[^1]:0} ms ({sweep.Samples} samples), docker stats {reference[^1]:0} ms");
        }

        foreach (var problem in problems)
        {
            Console.WriteLine("P6: " + problem);
        }

        var o = Median(ours);
        var r = Median(reference);
        var met = o <= 2 * r && problems.Count == 0;
        var setting = parallelism == DefaultParallelism ? $"MaxParallelism {parallelism} (the default)" : $"MaxParallelism {parallelism} (for comparison)";
        var title = $"{Title}, {setting}: sweep vs docker stats --no-stream (median of {Runs})";
        var oursText = F(o, "0") + " ms" + (problems.Count > 0 ? $" ({problems.Count} incomplete sweeps)" : "");
        return parallelism == DefaultParallelism
            ? new ResultRow(Id, title, oursText, F(r, "0") + " ms", ResultsTable.Ratio(o, r), "≤ 2×", met)
            : new ResultRow(Id, title, oursText, F(r, "0") + " ms", ResultsTable.Ratio(o, r), "(context)");
    }

    /// <summary>
    /// The real loop (BackgroundService) at a 15 s interval until 3 idle windows have passed and the next
    /// sweep has finished; the clock it is given marks each window (its Task.Delay between sweeps).
    /// </summary>
    private async Task<IReadOnlyList<ResultRow>> MeasureLoopAsync(
        string host, string scope, int parallelism, DbContextOptions<PlatformDbContext> dbOptions, CancellationToken ct)
    {
        var options = Options(host, scope, parallelism);
        var loop = new RuntimeLoopOptions { PollIntervalSeconds = LoopIntervalSeconds };
        var clock = new P6SweepClock();
        var logger = new StderrWarningLogger<DockerPoller>();
        using var runtime = new EngineRuntime(options, NullLogger<EngineRuntime>.Instance);
        using var poller = new DockerPoller(runtime, MsOptions.Create(options), MsOptions.Create(loop), dbOptions, new AlertStore(TimeProvider.System), logger, clock);

        var cpuStart = P6SweepClock.CpuTime();
        var wall = Stopwatch.StartNew();
        await poller.StartAsync(ct);
        try
        {
            var deadline = TimeSpan.FromSeconds(LoopIntervalSeconds * (LoopIdleWindows + 2));
            while (clock.IdleWindowsStarted <= LoopIdleWindows && wall.Elapsed < deadline)
            {
                await Task.Delay(250, ct);
            }
        }
        finally
        {
            await poller.StopAsync(CancellationToken.None);
        }

        wall.Stop();
        var cpuTotal = P6SweepClock.CpuTime() - cpuStart;
        var windows = clock.CompletedWindows();
        if (windows.Count < LoopIdleWindows || logger.Errors > 0)
        {
            Console.WriteLine($"P6: loop: {windows.Count} idle windows, {poller.Iterations} iterations, {logger.Errors} errors logged");
        }

        var idleWall = windows.Sum(w => w.Wall.TotalSeconds);
        var idleCpu = windows.Sum(w => w.Cpu.TotalSeconds);
        var idlePercent = idleWall > 0 ? idleCpu / idleWall * 100 : double.NaN;
        var sweepWall = wall.Elapsed.TotalSeconds - idleWall;
        foreach (var (w, i) in windows.Select((w, i) => (w, i)))
        {
            Console.WriteLine($"P6: idle window {i + 1}: {w.Wall.TotalSeconds:0.00} s wall, {w.Cpu.TotalMilliseconds:0} ms CPU");
        }

        var sweeps = poller.Iterations;
        var met = windows.Count >= LoopIdleWindows && logger.Errors == 0 && idlePercent < 5;
        return
        [
            new ResultRow(Id, $"Docker poller loop ({LoopIntervalSeconds} s interval, MaxParallelism {parallelism}): CPU between sweeps, {windows.Count} idle windows",
                Percent(idlePercent) + " of a core", "-", "-", "< 5 % of a core", met),
            new ResultRow(Id, $"Docker poller loop: whole window ({wall.Elapsed.TotalSeconds:0} s, {sweeps} sweeps of {Containers} containers), CPU incl. sweeps",
                Percent(cpuTotal.TotalSeconds / wall.Elapsed.TotalSeconds * 100) + " of a core, " + F((cpuTotal.TotalMilliseconds - (idleCpu * 1000)) / Math.Max(1, sweeps), "0") + " ms CPU per sweep",
                "-", "-", "(context)"),
        ];
    }

    private static RuntimeOptions Options(string host, string scope, int parallelism)
    {
        var options = new RuntimeOptions
        {
            Endpoint = host,
            Scope = scope,
            AgentImage = Image,
            MaxParallelism = parallelism,
            RestartPolicy = "no",
        };
        var validation = new RuntimeOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new InvalidOperationException(validation.FailureMessage);
        }

        return options;
    }

    /// <summary>Wall time of one <c>docker stats --no-stream</c> of the given containers, CLI start to exit.</summary>
    private static async Task<double> DockerStatsAsync(string[] ids, IDictionary<string, string> dockerEnvironment)
    {
        var watch = Stopwatch.StartNew();
        var output = await Tools.RunAsync("docker", ["stats", "--no-stream", .. ids], dockerEnvironment);
        watch.Stop();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        if (lines != ids.Length + 1)
        {
            throw new InvalidOperationException($"docker stats printed {lines} lines for {ids.Length} containers");
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static string Percent(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + " %";
}
