using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Tests.Support;

namespace Platform.Bench.Soak;

/// <summary>bench/soak/run.sh [--minutes N] [--rate REQ_PER_S] [--subscribers N] [--apis N] [--tenants N] [--no-append].</summary>
internal sealed record SoakOptions(double Minutes = 10, double Rate = 120, int Subscribers = 40, int Apis = 2, int Tenants = 4, bool Append = true)
{
    public TimeSpan Duration => TimeSpan.FromMinutes(Minutes);

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Minutes:0.##} min at {Rate:0} req/s, {Apis} API instance(s) + worker, {Subscribers} SSE subscribers");

    public static SoakOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new SoakOptions();
        for (var i = 0; i < args.Count && options is not null; i++)
        {
            var value = i + 1 < args.Count && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) && v > 0 ? v : double.NaN;
            options = args[i] switch
            {
                "--no-append" => options with { Append = false },
                "--minutes" when value <= 120 => options with { Minutes = value },
                "--rate" when value <= 2000 => options with { Rate = value },
                "--subscribers" when value <= 1000 => options with { Subscribers = (int)value },
                "--apis" when value <= 4 => options with { Apis = (int)value },
                "--tenants" when value <= 100 => options with { Tenants = (int)value },
                _ => null,
            };
            i += args[i] == "--no-append" ? 0 : 1;
        }

        return options;
    }
}

/// <summary>
/// The soak: the whole app (N Release API instances and the Release worker, its recurring jobs every 1-2 minutes, with an
/// S3 server and, when DOCKER_HOST names an engine, the poller and provisioner in a scope of their own) under a steady mixed
/// load for a fixed time, watched for errors, memory growth, lost live events and jobs that stop running. Loopback only.
/// </summary>
internal static class SoakCommand
{
    public const string AgentImage = "platform-local/agent-runtime:test";
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (SoakOptions.Parse(args) is not { } options)
        {
            Console.Error.WriteLine("usage: bench/soak/run.sh [--minutes N (10)] [--rate REQ_PER_S (120)] [--subscribers N (40)] [--apis N (2)] [--tenants N (4)] [--no-append]");
            return 2;
        }

        var runId = Guid.NewGuid().ToString("N")[..8];
        Console.WriteLine($"== Soak {runId}: {options.Describe()}");
        var logs = Directory.CreateDirectory(Path.Combine(BenchEnvironment.RepositoryRoot, "bench", ".out", "soak-logs", runId)).FullName;
        await using var environment = await BenchEnvironment.StartAsync();
        var data = await environment.DataAsync();
        await using var s3 = await LocalS3.StartAsync();
        var docker = environment.DockerHost is { Length: > 0 } host ? new Dictionary<string, string> { ["DOCKER_HOST"] = host } : null;
        var scope = $"soak-{runId}";
        if (docker is not null)
        {
            Console.WriteLine("soak: agent image " + (await Tools.RunAsync("bash", [Path.Combine(BenchEnvironment.RepositoryRoot, "scripts", "build-agent-image.sh"), AgentImage], docker)).Trim());
        }

        var processes = new List<(string Name, ReleaseProcess Process)>();
        try
        {
            for (var i = 1; i <= options.Apis; i++)
            {
                // Access tokens live 5 minutes, so sessions are refreshed during the soak.
                processes.Add(($"api-{i}", await environment.StartApiAsync(new Dictionary<string, string> { ["Jwt__AccessTokenMinutes"] = "5" }, Path.Combine(logs, $"api-{i}.log"))));
            }

            var apis = processes.Select(p => p.Process.BaseAddress).ToArray();
            var worker = new Dictionary<string, string>
            {
                // Every job fires several times; the cleanups alternate minutes so they do not always coincide with archival.
                ["Jobs__Schedules__RefreshTokenCleanup"] = "*/2 * * * *",
                ["Jobs__Schedules__InviteCleanup"] = "1-59/2 * * * *",
                ["Jobs__Schedules__AuditArchival"] = "*/2 * * * *",
                ["Jobs__Schedules__HealthRollup"] = "* * * * *",
                ["Archive__ServiceUrl"] = s3.ServiceUrl,
                ["Archive__Bucket"] = "soak-audit-archive",
                ["Archive__AccessKey"] = LocalS3.AccessKey,
                ["Archive__SecretKey"] = LocalS3.SecretKey,
                ["Runtime__Backend"] = docker is null ? "none" : "engine",
                ["Runtime__Scope"] = scope,
                ["Runtime__AgentImage"] = AgentImage,
                ["Runtime__PollIntervalSeconds"] = PollInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                ["Runtime__ApiBaseUrl"] = apis[0].ToString(),
                ["Logging__LogLevel__Platform.Worker.Jobs"] = "Information",
            };
            if (docker is not null)
            {
                worker["Runtime__Endpoint"] = docker["DOCKER_HOST"];
            }

            processes.Add(("worker", await environment.StartWorkerAsync(worker, Path.Combine(logs, "worker.log"))));
            var workerStartedAt = DateTimeOffset.UtcNow;
            Console.WriteLine($"soak: {string.Join(", ", processes.Select(p => $"{p.Name} healthy after {p.Process.Startup.TotalMilliseconds:0} ms"))}; " +
                $"Docker {(docker is null ? "off (no DOCKER_HOST)" : $"on, scope {scope}")}; logs in {logs}");

            var tenants = await SoakTenant.SignInAsync(environment, data, apis[0], options.Tenants, runId);
            var residents = await CreateResidentsAsync(tenants, apis[0], runId);
            var provisioned = Stopwatch.StartNew();
            while (docker is not null && provisioned.Elapsed < TimeSpan.FromSeconds(90) && await Scenarios.Sql.ScalarAsync<long>(environment.Database.OwnerConnectionString,
                "SELECT count(*) FROM agents WHERE id = ANY(@ids) AND container_id IS NOT NULL AND status = 'active'", new Dictionary<string, object> { ["ids"] = residents.ToArray() }) < residents.Count)
            {
                await Task.Delay(TimeSpan.FromSeconds(1)); // the poller row counts the resident containers' samples from the start
            }
            await using var feeds = new FeedSubscribers(options.Subscribers, tenants, apis);
            if (!await feeds.StartAsync(TimeSpan.FromSeconds(60)))
            {
                Console.Error.WriteLine($"soak: only {feeds.All.Count(s => s.Ready.IsCompleted)} of {options.Subscribers} subscribers were ready after 60 s");
            }

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = Timeout.InfiniteTimeSpan };
            var recorder = new LatencyRecorder((int)Math.Ceiling(options.Minutes));
            var mix = new TrafficMix(tenants, apis, runId);
            var load = new OpenLoop(http, mix.Next, recorder, options.Rate, TimeSpan.FromSeconds(10));
            var samples = new List<(TimeSpan At, string Name, long? Rss, double Cores)>();
            var sessions = tenants.SelectMany(t => t.Users).ToArray();
            Console.WriteLine($"soak: load starts: {string.Join(", ", mix.Shares.Select(s => $"{s.Kind} {s.Share * options.Rate:0.#}/s"))}");
            var startedAt = DateTimeOffset.UtcNow;
            using var stop = new CancellationTokenSource();
            var watching = WatchAsync(processes, load, recorder, feeds, samples, sessions, http, apis, stop.Token);
            await load.RunAsync(options.Duration);
            var loadEndedAt = DateTimeOffset.UtcNow;
            await feeds.StopAsync(TimeSpan.FromSeconds(10));
            await stop.CancelAsync();
            await watching;
            Console.WriteLine("soak: load done; waiting for the last job runs to write their audit rows ...");
            await Task.Delay(TimeSpan.FromSeconds(5));

            var report = new SoakReport(options, recorder, load.Scheduled, samples, [.. processes.Select(p => p.Name)], feeds.All,
                processes.Where(p => p.Name != "worker").ToDictionary(p => p.Process.BaseAddress, p => p.Name), docker is not null, residents.Count,
                sessions.Sum(s => s.Refreshes), sessions.Sum(s => s.Relogins), [.. processes.Select(p => SoakReport.ScanLog(p.Name, Path.Combine(logs, p.Name + ".log")))]);
            await report.QueryAsync(environment, workerStartedAt, startedAt, loadEndedAt, residents, runId);
            report.Print();
            var results = new ResultsTable();
            results.AddRange(report.Verdict());
            Console.WriteLine(results.Render());
            if (options.Append)
            {
                await results.SaveAsync($"Soak, {options.Describe()}");
            }

            Console.WriteLine($"soak: app logs kept in {logs}");
            return 0;
        }
        finally
        {
            foreach (var (_, process) in processes)
            {
                await process.DisposeAsync();
            }

            if (docker is not null)
            {
                var left = (await Tools.RunAsync("docker", ["ps", "-aq", "--filter", $"label=platform.scope={scope}"], docker)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Console.WriteLine($"soak: {left.Length} containers left in scope {scope} (the resident agents' included); removing them");
                if (left.Length > 0)
                {
                    await Tools.RunAsync("docker", ["rm", "-f", .. left], docker);
                }
            }
        }
    }

    /// <summary>One agent per tenant kept for the whole soak: with Docker, the poller should sample its container every sweep.</summary>
    private static async Task<IReadOnlyList<Guid>> CreateResidentsAsync(IReadOnlyList<SoakTenant> tenants, Uri api, string runId)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var ids = new List<Guid>();
        foreach (var tenant in tenants)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "/api/v1/agents"))
            {
                Content = JsonContent.Create(new { name = $"soak-{runId}{SoakReport.ResidentMarker}{tenant.Number}", description = "kept for the whole soak", role = "custom" }),
            };
            request.Headers.Authorization = new("Bearer", tenant.Admin.AccessToken);
            using var response = await http.SendAsync(request);
            Scenarios.Statistics.Check(response.IsSuccessStatusCode, $"POST /api/v1/agents: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            ids.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid());
        }

        return ids;
    }

    /// <summary>Every 30 s: RSS and CPU of each process, the machine's load and progress; every 5 s: token refreshes when due.</summary>
    private static async Task WatchAsync(
        List<(string Name, ReleaseProcess Process)> processes, OpenLoop load, LatencyRecorder recorder, FeedSubscribers feeds,
        List<(TimeSpan At, string Name, long? Rss, double Cores)> samples, UserSession[] sessions, HttpClient http, Uri[] apis, CancellationToken stop)
    {
        var cpu = processes.ToDictionary(p => p.Name, _ => 0.0);
        var (machine, previous) = (ProcStat.MachineTicks(), TimeSpan.Zero);
        for (var tick = 0; ; tick++)
        {
            if (tick % 6 == 0 || stop.IsCancellationRequested)
            {
                var at = load.Clock.Elapsed;
                var line = new List<string>();
                foreach (var (name, process) in processes)
                {
                    var (rss, seconds) = process.HasExited ? ((long?)null, cpu[name]) : (process.RssBytes, ProcStat.CpuSeconds(process.ProcessId));
                    var cores = tick == 0 ? 0 : (seconds - cpu[name]) / Math.Max(0.001, (at - previous).TotalSeconds);
                    cpu[name] = seconds;
                    samples.Add((at, name, rss, cores));
                    line.Add(rss is { } bytes ? $"{name} {bytes / 1048576.0:0} MiB {cores:0.00} cores" : $"{name} EXITED");
                }

                var now = ProcStat.MachineTicks();
                Console.WriteLine($"soak {at:mm\\:ss} | {string.Join(", ", line)} | machine {100.0 * (now.Busy - machine.Busy) / Math.Max(1, now.Total - machine.Total):0} % busy | " +
                    $"sent {load.Scheduled}, 5xx {recorder.Count(Outcome.ServerError)}, other {recorder.Count(Outcome.OtherStatus)}, timeouts {recorder.Count(Outcome.Timeout)}, " +
                    $"in flight {load.InFlight}, SSE {feeds.All.Sum(s => s.Received)}/{feeds.All.Sum(s => s.Tenant.Posted.Count)}");
                (machine, previous) = (now, at);
            }

            if (stop.IsCancellationRequested)
            {
                return;
            }

            await Task.WhenAll(sessions.Select((s, i) => s.RenewIfDueAsync(http, apis[i % apis.Length], recorder, load.Clock.Elapsed, stop)));
            await Task.WhenAny(Task.Delay(TimeSpan.FromSeconds(5), stop));
        }
    }
}
