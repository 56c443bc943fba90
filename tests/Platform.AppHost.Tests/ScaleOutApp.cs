using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Platform.AppHost.Tests;

[CollectionDefinition(Name)]
public sealed class ScaleOutCollection : ICollectionFixture<ScaleOutApp>
{
    public const string Name = "scale-out";
}

/// <summary>
/// One AppHost in local mode with three API and two worker replicas, and every recurring job due each
/// minute, shared by the scale-out tests: starting it is the slow part.
/// </summary>
public sealed class ScaleOutApp : IAsyncLifetime
{
    public const int ApiReplicaCount = 3;
    public const int WorkerReplicaCount = 2;
    public const string EveryMinute = "* * * * *";

    private readonly StateDirectory _state = new();
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    public IReadOnlyList<Replica> Api { get; private set; } = [];

    public IReadOnlyList<Replica> Workers { get; private set; } = [];

    /// <summary>The owner's connection string (no row-level security), to read audit rows and Hangfire's tables.</summary>
    public string OwnerConnectionString { get; private set; } = "";

    public TimeSpan StartedIn { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var watch = Stopwatch.StartNew();
        _app = await AppHostRun.StartAsync(
        [
            "Infrastructure:Mode=local",
            $"Infrastructure:StateDirectory={_state.Path}",
            $"Scale:ApiReplicas={ApiReplicaCount}",
            $"Scale:WorkerReplicas={WorkerReplicaCount}",
            .. JobRuns.Schedules.Select(s => $"Jobs:Schedules:{s}={EveryMinute}"),
        ], ct,
        // The rate-limit test counts one exact budget across the replicas while five processes share two cores: a Redis
        // command over the production budget would open one replica's circuit and let it count on its own.
        new Dictionary<string, string> { ["Redis__CommandBudgetMilliseconds"] = "500" });
        try
        {
            await AppHostRun.AssertWholeAppHealthyAsync(_app, ct);
            Api = await Replicas.WaitForRunningAsync(_app, "api", ApiReplicaCount, ct);
            Workers = await Replicas.WaitForRunningAsync(_app, "worker", WorkerReplicaCount, ct);
            await Replicas.WaitForHealthyAsync([.. Api, .. Workers], ct);
            OwnerConnectionString = await _app.GetConnectionStringAsync("platformdb", ct)
                ?? throw new InvalidOperationException("No connection string platformdb.");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }

        StartedIn = watch.Elapsed;
    }

    /// <summary>A client of one replica's own endpoint, bypassing Aspire's proxy.</summary>
    public static HttpClient Client(Replica replica, string? accessToken = null, string? apiKey = null, bool streaming = false)
    {
        var client = new HttpClient { BaseAddress = replica.Address, Timeout = streaming ? Timeout.InfiniteTimeSpan : TimeSpan.FromMinutes(1) };
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        }

        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    /// <summary>The replicas' addresses and PIDs in the test output, where a failure is read.</summary>
    public void Describe()
    {
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"AppHost with {ApiReplicaCount} API and {WorkerReplicaCount} worker replicas started in {StartedIn.TotalSeconds:F0} s");
        foreach (var replica in Api.Concat(Workers))
        {
            output?.WriteLine($"  {replica}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync();
        }

        _state.Dispose();
    }
}
