using Docker.DotNet;
using Microsoft.Extensions.Logging;
using Platform.Runtime;
using Platform.Runtime.Engine;
using Platform.Worker.Containers;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Platform.Bench;

/// <summary>
/// P6: one sweep of the worker's poller (DockerPoller.PollOnceAsync through the engine backend: list, inspect and
/// one-shot stats of each container, one batch of container_health rows, alerts) against <c>docker stats --no-stream</c>
/// of the same running containers, at 100 and then at 500 containers (busybox, network none); median of 3 each,
/// interleaved. The 500 sweep against the 100 sweep shows how the cost grows.
/// </summary>
public sealed class P6DockerPoll : IScenario
{
    private const int Runs = 3;
    private static readonly int[] Sizes = [100, 500];

    // Five times the containers: linear growth with a little room for the fixed part of a sweep (its database batch).
    private const double MaxGrowth = 6;
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(15);

    public string Id => "P6";
    public string Title => "Docker poll sweep";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        if (environment.DockerHost is not { } host)
            return [new ResultRow(Id, Title, "skipped", "-", "-", "no DOCKER_HOST (bench/run.sh starts an engine when run as root)")];

        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        var scope = "bench-p6-" + Guid.NewGuid().ToString("N")[..8];
        var dockerEnvironment = new Dictionary<string, string> { ["DOCKER_HOST"] = host };
        Console.WriteLine($"P6: engine {host}, scope {scope}");
        await AgentImages.BuildAsync(host);

        using var client = new DockerClientBuilder().WithEndpoint(new Uri(host)).WithTimeout(TimeSpan.FromSeconds(60)).Build();
        var ids = new List<string>();
        var database = await PlatformDatabase.CreateAsync(environment.Postgres);
        await using var dropped = new Finally(() => Sql.DropAsync(database));
        await using var removed = new Finally(() => AgentContainers.RemoveAsync(host, scope));
        var dbOptions = Sql.AppOptions(database.AppConnectionString);
        var rows = new List<ResultRow>();
        var sweeps = new Dictionary<int, double>();
        foreach (var size in Sizes)
        {
            var watch = Stopwatch.StartNew();
            ids.AddRange(await AgentContainers.AddAsync(database, client, scope, size - ids.Count, ct));
            Console.WriteLine($"P6: {ids.Count} containers running (started in {watch.Elapsed.TotalSeconds:0.0} s)");
            await DockerStatsAsync([.. ids], dockerEnvironment); // warm-up of the engine's stats path
            var (row, sweep) = await CompareSweepsAsync(host, scope, dbOptions, [.. ids], dockerEnvironment, ct);
            rows.Add(row);
            sweeps[size] = sweep;
        }

        var (small, large) = (Sizes[0], Sizes[^1]);
        rows.Add(new ResultRow(Id, $"{Title} at {large} vs at {small} containers (cost grows at most linearly)", Ms(sweeps[large]), Ms(sweeps[small]),
            Ratio(sweeps[large], sweeps[small]), $"≤ {MaxGrowth}×", sweeps[large] <= MaxGrowth * sweeps[small]));
        return rows;
    }

    /// <summary>Sweeps and docker stats interleaved, one warm-up sweep first; the median of each.</summary>
    private async Task<(ResultRow Row, double Sweep)> CompareSweepsAsync(
        string host, string scope, DbContextOptions<PlatformDbContext> dbOptions, string[] ids, IDictionary<string, string> dockerEnvironment, CancellationToken ct)
    {
        var options = Options(host, scope);
        using var runtime = new EngineRuntime(options, NullLogger<EngineRuntime>.Instance);
        using var warnings = LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(LogLevel.Warning));
        using var poller = new DockerPoller(runtime, MsOptions.Create(options), MsOptions.Create(new RuntimeLoopOptions()), dbOptions,
            new AlertStore(TimeProvider.System), warnings.CreateLogger<DockerPoller>(), TimeProvider.System);
        await poller.PollOnceAsync(ct);

        var ours = new List<double>();
        var reference = new List<double>();
        var problems = new List<string>();
        for (var i = 0; i < Runs; i++)
        {
            var watch = Stopwatch.StartNew();
            var sweep = await poller.PollOnceAsync(ct);
            ours.Add(watch.Elapsed.TotalMilliseconds);
            if (!sweep.Reachable || sweep.Skipped || sweep.Samples != ids.Length || sweep.AlertsOpened > 0)
            {
                problems.Add($"sweep {i + 1}: reachable {sweep.Reachable}, skipped {sweep.Skipped}, {sweep.Containers} containers, {sweep.Samples} samples, {sweep.AlertsOpened} alerts opened {sweep.Error}");
            }

            reference.Add(await DockerStatsAsync(ids, dockerEnvironment));
            Console.WriteLine($"P6: {ids.Length} containers, run {i + 1}: sweep {ours[^1]:0} ms ({sweep.Samples} samples), docker stats {reference[^1]:0} ms");
        }

        problems.ForEach(p => Console.WriteLine("P6: " + p));
        var (o, r) = (Median(ours), Median(reference));
        var title = $"{Title} of {ids.Length} containers vs docker stats --no-stream (median of {Runs}, MaxParallelism {options.MaxParallelism})";
        var oursText = Ms(o) + (problems.Count > 0 ? $" ({problems.Count} incomplete sweeps)" : "");
        return (new ResultRow(Id, title, oursText, Ms(r), Ratio(o, r), "≤ 2×", o <= 2 * r && problems.Count == 0), o);
    }

    private static RuntimeOptions Options(string host, string scope)
    {
        var options = new RuntimeOptions { Endpoint = host, Scope = scope, AgentImage = DockerEngines.AgentImage, RestartPolicy = "no" };
        var validation = new RuntimeOptionsValidator().Validate(null, options);
        return validation.Failed ? throw new InvalidOperationException(validation.FailureMessage) : options;
    }

    /// <summary>Wall time of one <c>docker stats --no-stream</c> of the given containers, CLI start to exit.</summary>
    private static async Task<double> DockerStatsAsync(string[] ids, IDictionary<string, string> dockerEnvironment)
    {
        var watch = Stopwatch.StartNew();
        var output = await Tools.RunAsync("docker", ["stats", "--no-stream", .. ids], dockerEnvironment);
        watch.Stop();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        return lines == ids.Length + 1 ? watch.Elapsed.TotalMilliseconds
            : throw new InvalidOperationException($"docker stats printed {lines} lines for {ids.Length} containers");
    }
}
