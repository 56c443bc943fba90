using Platform.Tests.Support;

namespace Platform.Bench.Soak;

/// <summary>
/// The whole app as deployed, on loopback: N Release API instances and the Release worker, with an S3
/// server for audit archival and, when DOCKER_HOST names an engine, the Docker poller and provisioner in a
/// scope of their own. The worker's recurring jobs run every 1-2 minutes instead of nightly. Each app's
/// output goes to a log file that the report scans for errors.
/// </summary>
internal sealed class SoakStack : IAsyncDisposable
{
    public const string AgentImage = "platform-local/agent-runtime:test";

    /// <summary>The Docker poller's interval (its default, set explicitly because the verdict counts sweeps by it).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(15);

    // Every job fires several times in a soak; the cleanups alternate minutes so they do not always coincide with archival.
    private static readonly Dictionary<string, string> Schedules = new()
    {
        ["Jobs__Schedules__RefreshTokenCleanup"] = "*/2 * * * *",
        ["Jobs__Schedules__InviteCleanup"] = "1-59/2 * * * *",
        ["Jobs__Schedules__AuditArchival"] = "*/2 * * * *",
        ["Jobs__Schedules__HealthRollup"] = "* * * * *",
    };

    private readonly LocalS3 _s3;
    private readonly string? _dockerHost;

    private SoakStack(LocalS3 s3, string? dockerHost, string scope, string logDirectory, IReadOnlyList<ReleaseProcess> apis, ReleaseProcess worker)
    {
        WorkerStartedAt = DateTimeOffset.UtcNow;
        _s3 = s3;
        _dockerHost = dockerHost;
        Scope = scope;
        LogDirectory = logDirectory;
        Apis = apis;
        Worker = worker;
    }

    public IReadOnlyList<ReleaseProcess> Apis { get; }

    public ReleaseProcess Worker { get; }

    /// <summary>When the worker answered /health: its recurring jobs fire from then on.</summary>
    public DateTimeOffset WorkerStartedAt { get; }

    public bool DockerEnabled => _dockerHost is not null;

    public string Scope { get; }

    public string LogDirectory { get; }

    /// <summary>Every process by the name the report uses: api-1, api-2, ..., worker.</summary>
    public IReadOnlyList<(string Name, ReleaseProcess Process)> Processes =>
        [.. Apis.Select((api, i) => ($"api-{i + 1}", api)), ("worker", Worker)];

    public string LogOf(string name) => Path.Combine(LogDirectory, name + ".log");

    /// <param name="accessTokenMinutes">Shorter than the 15-minute default so that sessions are refreshed during the soak.</param>
    public static async Task<SoakStack> StartAsync(BenchEnvironment environment, int apiInstances, int accessTokenMinutes, string runId)
    {
        var logDirectory = Directory.CreateDirectory(Path.Combine(BenchEnvironment.RepositoryRoot, "bench", ".out", "soak-logs", runId)).FullName;
        var s3 = await LocalS3.StartAsync();
        var dockerHost = environment.DockerHost is { Length: > 0 } host ? host : null;
        var scope = $"soak-{runId}";
        if (dockerHost is not null)
        {
            var built = await Tools.RunAsync("bash", [Path.Combine(BenchEnvironment.RepositoryRoot, "scripts", "build-agent-image.sh"), AgentImage],
                new Dictionary<string, string> { ["DOCKER_HOST"] = dockerHost });
            Console.WriteLine($"soak: agent image {built.Trim()}");
        }

        var apis = new List<ReleaseProcess>();
        for (var i = 1; i <= apiInstances; i++)
        {
            var api = await environment.StartApiAsync(
                new Dictionary<string, string> { ["Jwt__AccessTokenMinutes"] = accessTokenMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                Path.Combine(logDirectory, $"api-{i}.log"));
            Console.WriteLine($"soak: api-{i} at {api.BaseAddress}, alive after {api.Alive?.TotalMilliseconds:0} ms, healthy after {api.Startup.TotalMilliseconds:0} ms");
            apis.Add(api);
        }

        var settings = new Dictionary<string, string>(Schedules)
        {
            ["Archive__ServiceUrl"] = s3.ServiceUrl,
            ["Archive__Bucket"] = "soak-audit-archive",
            ["Archive__AccessKey"] = LocalS3.AccessKey,
            ["Archive__SecretKey"] = LocalS3.SecretKey,
            ["Runtime__Backend"] = dockerHost is null ? "none" : "engine",
            ["Runtime__Scope"] = scope,
            ["Runtime__AgentImage"] = AgentImage,
            ["Runtime__PollIntervalSeconds"] = ((int)PollInterval.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Runtime__ApiBaseUrl"] = apis[0].BaseAddress.ToString(),
            ["Logging__LogLevel__Platform.Worker.Jobs"] = "Information",
        };
        if (dockerHost is not null)
        {
            settings["Runtime__Endpoint"] = dockerHost;
        }

        var worker = await environment.StartWorkerAsync(settings, Path.Combine(logDirectory, "worker.log"));
        Console.WriteLine($"soak: worker at {worker.BaseAddress}, alive after {worker.Alive?.TotalMilliseconds:0} ms, healthy after {worker.Startup.TotalMilliseconds:0} ms; " +
            $"Docker {(dockerHost is null ? "off (no DOCKER_HOST)" : $"on, scope {scope}")}; logs in {logDirectory}");
        return new SoakStack(s3, dockerHost, scope, logDirectory, apis, worker);
    }

    /// <summary>Agent containers of this soak's scope that are still there (the worker removes those of deleted agents).</summary>
    public async Task<IReadOnlyList<string>> ContainersAsync()
    {
        if (_dockerHost is null)
        {
            return [];
        }

        var output = await Tools.RunAsync("docker", ["ps", "-aq", "--filter", $"label=platform.scope={Scope}"], new Dictionary<string, string> { ["DOCKER_HOST"] = _dockerHost });
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Stops the apps (the environment disposes them again, harmlessly), then removes this scope's containers and the S3 server.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (_, process) in Processes)
        {
            await process.DisposeAsync();
        }

        try
        {
            var containers = await ContainersAsync();
            if (containers.Count > 0)
            {
                await Tools.RunAsync("docker", ["rm", "-f", .. containers], new Dictionary<string, string> { ["DOCKER_HOST"] = _dockerHost! });
            }
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine($"soak: could not remove the containers of scope {Scope}: {ex.Message}");
        }

        await _s3.DisposeAsync();
    }
}
