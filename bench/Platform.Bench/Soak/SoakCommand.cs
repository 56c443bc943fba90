using System.Diagnostics;
using static Platform.Bench.Soak.LatencyRecorder;

namespace Platform.Bench.Soak;

/// <summary>
/// bench/soak/run.sh: the whole app under a steady mixed load for a fixed time (10 minutes by default),
/// watched for errors, memory growth, lost live events and jobs that stop running. Every part is bounded in
/// time and talks to 127.0.0.1 only; the verdict rows are appended to bench/RESULTS.md.
/// </summary>
internal static class SoakCommand
{
    private const int AccessTokenMinutes = 5;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SessionCheckInterval = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var (options, error) = SoakOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine($"{error}\nusage: {SoakOptions.Usage}");
            return 2;
        }

        var runId = Guid.NewGuid().ToString("N")[..8];
        Console.WriteLine($"== Soak {runId}: {options.Describe()}");
        await using var environment = await BenchEnvironment.StartAsync();
        var data = await environment.DataAsync();
        await using var stack = await SoakStack.StartAsync(environment, options.ApiInstances, AccessTokenMinutes, runId);
        var apis = stack.Apis.Select(a => a.BaseAddress).ToArray();
        var tenants = await SoakCast.SignInAsync(environment, data, apis[0], options.Tenants, runId);
        Console.WriteLine($"soak: {tenants.Count} tenants signed in ({tenants.Count * SoakCast.UsersPerTenant} users), API keys made");
        var residents = await ResidentAgents.CreateAsync(tenants, apis[0], runId);
        if (stack.DockerEnabled && !await ResidentAgents.WaitProvisionedAsync(environment, residents, TimeSpan.FromSeconds(90)))
        {
            Console.Error.WriteLine("soak: the resident agents did not all get a container within 90 s; the poller row will show it");
        }

        await using var feeds = new FeedSubscribers(options.Subscribers, tenants, apis);
        if (!await feeds.StartAsync(TimeSpan.FromSeconds(60)))
        {
            Console.Error.WriteLine($"soak: only {feeds.All.Count(s => s.Ready.IsCompleted)} of {options.Subscribers} feed subscribers were ready after 60 s; the rest count as missing events");
        }

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) };
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var recorder = new LatencyRecorder(options.MinuteCount);
        var mix = new TrafficMix(tenants, apis, runId);
        var clock = new Stopwatch();
        var load = new FixedRateLoad(http, mix, recorder, options.Rate, RequestTimeout, clock);
        var sampler = new ProcessSampler(stack.Processes, clock, () => Progress(load, recorder, feeds, mix));
        var sessions = tenants.SelectMany(t => t.Members.Prepend(t.Admin)).ToArray();

        Console.WriteLine($"soak: load starts: {string.Join(", ", mix.Entries.Select(e => $"{e.Kind} {e.Weight / mix.Entries.Sum(x => x.Weight) * options.Rate:0.#}/s"))}");
        var startedAt = DateTimeOffset.UtcNow;
        using var stop = new CancellationTokenSource();
        clock.Start();
        var sampling = sampler.RunAsync(SampleInterval, stop.Token);
        var renewing = RenewSessionsAsync(sessions, http, apis, recorder, clock, stop.Token);
        await load.RunAsync(options.Duration, CancellationToken.None);
        var loadEndedAt = DateTimeOffset.UtcNow;
        await load.DrainAsync();
        await feeds.StopAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await Task.WhenAll(sampling, renewing);
        sampler.SampleNow();
        var endedAt = DateTimeOffset.UtcNow;
        Console.WriteLine($"soak: load done after {clock.Elapsed:mm\\:ss}; waiting for the last job runs to write their audit rows ...");
        await Task.Delay(TimeSpan.FromSeconds(5));

        var findings = new SoakFindings(
            options, recorder, load.Scheduled, sampler.Samples, [.. stack.Processes.Select(p => p.Name)], feeds.All,
            stack.Processes.Where(p => p.Name != "worker").ToDictionary(p => p.Process.BaseAddress, p => p.Name),
            await SoakChecks.JobRunsAsync(environment, stack.WorkerStartedAt), SoakFindings.FiredBetween(stack.WorkerStartedAt, endedAt),
            await SoakChecks.HangfireStatesAsync(environment), stack.DockerEnabled,
            await SoakChecks.ResidentSamplesAsync(environment, residents, startedAt, loadEndedAt), residents.Count, SoakStack.PollInterval,
            await SoakChecks.AlertsAsync(environment, startedAt), await SoakChecks.CreatedAgentsLeftAsync(environment, runId, startedAt),
            (await stack.ContainersAsync()).Count, [.. stack.Processes.Select(p => SoakChecks.ScanLog(p.Name, stack.LogOf(p.Name)))],
            sessions.Sum(s => s.Refreshes), sessions.Sum(s => s.Relogins));
        SoakReport.Print(findings);

        var results = new ResultsTable();
        results.AddRange(SoakVerdict.Rows(findings));
        results.Print();
        if (options.AppendResults)
        {
            await results.AppendToAsync(Path.Combine(BenchEnvironment.RepositoryRoot, "bench", "RESULTS.md"));
        }

        Console.WriteLine($"soak: app logs kept in {stack.LogDirectory}");
        return 0;
    }

    /// <summary>Rotates each user's tokens when due, spread over the API instances, until the soak ends.</summary>
    private static async Task RenewSessionsAsync(
        IReadOnlyList<UserSession> sessions, HttpClient http, IReadOnlyList<Uri> apis, LatencyRecorder recorder, Stopwatch clock, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(SessionCheckInterval, stop);
                await Task.WhenAll(sessions.Select((s, i) => s.RenewIfDueAsync(http, apis[i % apis.Count], recorder, clock.Elapsed, stop)));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static string Progress(FixedRateLoad load, LatencyRecorder recorder, FeedSubscribers feeds, TrafficMix mix) =>
        $"sent {load.Scheduled}, 5xx {recorder.Count(Outcome.ServerError)}, other {recorder.Count(Outcome.OtherStatus)}, " +
        $"timeouts {recorder.Count(Outcome.Timeout)}, connection {recorder.Count(Outcome.ConnectionError)}, in flight {load.InFlight}, " +
        $"SSE {feeds.All.Sum(s => s.Received)}/{feeds.All.Sum(s => s.Tenant.ActivitiesPosted)}, soak agents alive {mix.AgentsAlive}";
}
