namespace Platform.Bench;

/// <summary>bench/soak/run.sh [--minutes N] [--no-append]: 120 req/s against 2 API instances and the worker, 40 SSE subscribers of 4 tenants.</summary>
internal sealed record SoakOptions(double Minutes = 10, bool Append = true)
{
    public const double Rate = 120;
    public const int Subscribers = 40, Apis = 2, Tenants = 4;
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(15);

    public TimeSpan Duration => TimeSpan.FromMinutes(Minutes);

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Minutes:0.##} min at {Rate:0} req/s, {Apis} API instances + worker, {Subscribers} SSE subscribers");

    public static SoakOptions? Parse(string[] args) => args switch
    {
        [] => new(),
        ["--no-append", .. var rest] => Parse(rest) is { } o ? o with { Append = false } : null,
        ["--minutes", var m, .. var rest] when double.TryParse(m, CultureInfo.InvariantCulture, out var v) && v is > 0 and <= 120 => Parse(rest) is { } o ? o with { Minutes = v } : null,
        _ => null,
    };
}

/// <summary>
/// The soak: the whole app (Release API instances and the Release worker, its recurring jobs every 1-2 minutes, with an
/// S3 server and, when DOCKER_HOST names an engine, the poller and provisioner in a scope of their own) under a steady mixed
/// load for a fixed time, watched for errors, memory and handle growth, latency, lost live events and jobs that stop running.
/// </summary>
internal static class SoakCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (SoakOptions.Parse(args) is not { } options)
        {
            Console.Error.WriteLine("usage: bench/soak/run.sh [--minutes N (10)] [--no-append]");
            return 2;
        }

        var runId = Guid.NewGuid().ToString("N")[..8];
        Console.WriteLine($"== Soak {runId}: {options.Describe()}");
        var logs = Directory.CreateDirectory(Path.Combine(Repository.Root, "bench", ".out", "soak-logs", runId)).FullName;
        await using var environment = await BenchEnvironment.StartAsync();
        await environment.DataAsync();
        await using var s3 = await LocalS3.StartAsync();
        var (host, scope) = (environment.DockerHost, $"soak-{runId}");
        if (host is not null) await DockerEngines.BuildAgentImageAsync(host);

        var processes = new List<(string Name, ReleaseProcess Process)>();
        await using var removed = new Finally(async () =>
        {
            processes.ForEach(p => p.Process.Stop()); // first, so that the provisioner does not replace what is removed
            if (host is not null) await AgentContainers.RemoveAsync(host, scope);
        });
        for (var i = 1; i <= SoakOptions.Apis; i++)
        {
            // Access tokens live 5 minutes, so sessions are refreshed during the soak.
            processes.Add(($"api-{i}", await environment.StartApiAsync(new Dictionary<string, string> { ["Jwt__AccessTokenMinutes"] = "5" }, Path.Combine(logs, $"api-{i}.log"))));
        }

        var apis = processes.Select(p => p.Process.BaseAddress).ToArray();
        var worker = BenchEnvironment.ArchiveSettings(s3, "soak-audit-archive");
        foreach (var (key, value) in new Dictionary<string, string>
        {
            // Every job fires several times; the cleanups alternate minutes so they do not always coincide with archival.
            ["Jobs__Schedules__RefreshTokenCleanup"] = "*/2 * * * *",
            ["Jobs__Schedules__InviteCleanup"] = "1-59/2 * * * *",
            ["Jobs__Schedules__AuditArchival"] = "*/2 * * * *",
            ["Jobs__Schedules__HealthRollup"] = "* * * * *",
            ["Runtime__Backend"] = host is null ? "none" : "engine",
            ["Runtime__Endpoint"] = host ?? "",
            ["Runtime__Scope"] = scope,
            ["Runtime__AgentImage"] = DockerEngines.AgentImage,
            ["Runtime__PollIntervalSeconds"] = SoakOptions.PollInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            ["Runtime__ApiBaseUrl"] = apis[0].ToString(),
            ["Logging__LogLevel__Platform.Worker.Jobs"] = "Information",
        })
        {
            worker[key] = value;
        }

        processes.Add(("worker", await environment.StartWorkerAsync(worker, Path.Combine(logs, "worker.log"))));
        var workerStarted = DateTimeOffset.UtcNow;
        Console.WriteLine($"soak: started; Docker {(host is null ? "off (no DOCKER_HOST)" : $"on, scope {scope}")}; logs in {logs}");

        var tenants = await SoakTenant.SignInAsync(environment, apis[0], SoakOptions.Tenants, runId);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        var residents = host is null ? null : await ResidentsAsync(environment, http, apis[0], tenants, runId);

        // Each tenant's subscribers alternate between instances, so a loss on one replica shows against the other.
        await using var feeds = new FeedSubscribers(Enumerable.Range(0, SoakOptions.Subscribers).Select(i =>
        {
            var (tenant, round) = (tenants[i % tenants.Length], i / tenants.Length);
            var user = tenant.Users[1 + (round % (tenant.Users.Length - 1))];
            return new FeedSubscriber(apis[round % apis.Length], () => user.AccessToken, () => [.. tenant.Posted.Keys]);
        }));
        if (!await feeds.StartAsync(TimeSpan.FromSeconds(60)))
        {
            Console.Error.WriteLine($"soak: only {feeds.All.Count(s => s.Ready.IsCompleted)} of {SoakOptions.Subscribers} subscribers were ready after 60 s");
        }

        var (recorder, refreshes) = (new LatencyRecorder(), new LatencyRecorder());
        var load = new OpenLoop(http, new SoakTraffic(tenants, apis, runId).Next, recorder, SoakOptions.Rate, TimeSpan.FromSeconds(10));
        var samples = new List<SoakSample>();
        var loadStarted = DateTimeOffset.UtcNow;
        using var stop = new CancellationTokenSource();
        var watching = Task.Run(async () =>
        {
            // Every 30 s: each process's RSS and open handles, the last 30 s' p99 and the progress, on one line; every 5 s: token refreshes when due.
            var (sessions, seen) = (tenants.SelectMany(t => t.Users).ToArray(), 0);
            for (var tick = 0; ; tick++)
            {
                if (tick % 6 == 0 || stop.IsCancellationRequested)
                {
                    var at = load.Clock.Elapsed;
                    samples.AddRange(processes.Select(p => new SoakSample(at, p.Name, p.Process.HasExited ? null : p.Process.RssBytes, p.Process.HasExited ? null : p.Process.Handles)));
                    var recent = recorder.Latencies(seen);
                    seen += recent.Length;
                    Console.WriteLine($"soak {at:mm\\:ss} | {string.Join(", ", samples.TakeLast(processes.Count).Select(s => s.Rss is { } b ? $"{s.Name} {Mib(b)} {s.Handles} fds" : $"{s.Name} EXITED"))} | " +
                        $"sent {load.Scheduled}, p99 {Ms(PercentileOfSorted(recent, 0.99))}, 5xx {recorder.Count(Outcome.ServerError) + refreshes.Count(Outcome.ServerError)}, " +
                        $"in flight {load.InFlight}, SSE {feeds.All.Sum(s => s.Received)}/{feeds.All.Sum(s => s.Expected.Count)}");
                }

                if (stop.IsCancellationRequested) return;

                await Task.WhenAll(sessions.Select((s, i) => s.RenewIfDueAsync(http, apis[i % apis.Length], refreshes)));
                await Task.WhenAny(Task.Delay(TimeSpan.FromSeconds(5), stop.Token));
            }
        });
        await load.RunAsync(options.Duration);
        var loadEnded = DateTimeOffset.UtcNow;
        await feeds.StopAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await watching;
        await Task.Delay(TimeSpan.FromSeconds(5)); // the last job runs write their audit rows

        var results = new ResultsTable();
        results.AddRange(await SoakReport.VerdictAsync(environment, options, recorder, refreshes, load.Scheduled, samples, feeds.All, residents, (workerStarted, loadStarted, loadEnded)));
        Console.WriteLine(results.Render());
        if (options.Append) await results.SaveAsync($"Soak, {options.Describe()}");

        return 0;
    }

    /// <summary>One agent per tenant kept for the whole soak, once the provisioner has its container running (90 s at most): the poller should sample it every sweep.</summary>
    private static async Task<Guid[]> ResidentsAsync(BenchEnvironment environment, HttpClient http, Uri api, SoakTenant[] tenants, string runId)
    {
        var residents = await Task.WhenAll(tenants.Select(async t => (await SeededData.PostAsync(http, new Uri(api, "/api/v1/agents"),
            new { name = $"soak-{runId}-resident-{t.Number}", description = "kept for the whole soak", role = "custom" }, t.Users[0].AccessToken)).GetProperty("id").GetGuid()));
        var provisioned = Stopwatch.StartNew();
        while (provisioned.Elapsed < TimeSpan.FromSeconds(90) && await Sql.ScalarAsync<long>(environment.Database.OwnerConnectionString,
            "SELECT count(*) FROM agents WHERE id = ANY(@ids) AND container_id IS NOT NULL AND status = 'active'", new Dictionary<string, object> { ["ids"] = residents }) < residents.Length)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        return residents;
    }
}
