using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P3: the live activity feed (SSE) with 1,000 subscribers over 2 API instances (500 each, one tenant,
/// a user's JWT). 50 activities are posted through the first instance, one every 100 ms; for each event
/// and subscriber the delay runs from just before its POST to the arrival of its <c>data:</c> line.
/// Three posts go first and are not counted: the first post to a fresh instance compiles its path (EF, the
/// Redis script, the fan-out) and alone would be 2 % of the samples. Its last delivery is reported beside.
/// </summary>
public sealed class P3ActivityFeed : IScenario
{
    private const int TenantNo = 99;
    private const int Instances = 2;
    private const int SubscribersPerInstance = 500;
    private const int WarmUpPosts = 3;
    private const int Events = 50;
    private const int Posts = WarmUpPosts + Events;
    private const string Marker = "\"summary\":\"p3 event ";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(3);

    public string Id => "P3";

    public string Title => "SSE feed: 1,000 subscribers on 2 instances";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        var data = await environment.DataAsync();
        var tenantId = SeededData.Tenant(data, TenantNo);
        var agent = (await SeededData.AgentIdsAsync(environment, tenantId, 1))[0];
        var apis = new List<ReleaseProcess>();
        try
        {
            for (var i = 0; i < Instances; i++)
            {
                apis.Add(await environment.StartApiAsync());
            }

            var (_, key) = await ApiCredentials.CreateApiKeyAsync(apis[0].BaseAddress, TenantNo, "bench P3", "activities:write");
            var token = await ApiCredentials.LoginAsync(apis[1].BaseAddress, SeededData.UserEmail(TenantNo, 2));

            var subscribers = Instances * SubscribersPerInstance;
            var sent = new long[Posts];
            var arrived = new long[subscribers * Posts];
            using var ready = new CountdownEvent(subscribers);
            using var stop = new CancellationTokenSource();
            using var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = subscribers + 100,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                ConnectTimeout = TimeSpan.FromSeconds(10),
            };
            using var feedClient = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan, DefaultRequestVersion = HttpVersion.Version11 };
            feedClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            // One reader task per subscriber; at most 50 connection attempts in flight.
            using var opening = new SemaphoreSlim(50);
            var failures = 0;
            var readers = Enumerable.Range(0, subscribers).Select(s => Task.Run(async () =>
            {
                var signalled = false;
                try
                {
                    await opening.WaitAsync(stop.Token);
                    HttpResponseMessage response;
                    try
                    {
                        var url = new Uri(apis[s % Instances].BaseAddress, "/api/v1/activities/stream");
                        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
                        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                        response = await feedClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
                    }
                    finally
                    {
                        opening.Release();
                    }

                    using (response)
                    {
                        response.EnsureSuccessStatusCode();
                        await using var stream = await response.Content.ReadAsStreamAsync(stop.Token);
                        using var reader = new StreamReader(stream);
                        while (await reader.ReadLineAsync(stop.Token) is { } line)
                        {
                            var now = Stopwatch.GetTimestamp();
                            if (!signalled && line.StartsWith("event: ready", StringComparison.Ordinal))
                            {
                                signalled = true;
                                ready.Signal();
                            }
                            else if (line.StartsWith("data:", StringComparison.Ordinal) && EventNumber(line) is { } n)
                            {
                                arrived[(s * Posts) + n] = now;
                            }
                        }
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                    if (Interlocked.Increment(ref failures) <= 5)
                    {
                        Console.Error.WriteLine($"P3 subscriber {s}: {ex.Message}");
                    }
                }
                finally
                {
                    if (!signalled)
                    {
                        ready.Signal();
                    }
                }
            })).ToArray();

            var connectWatch = Stopwatch.StartNew();
            if (!await Task.Run(() => ready.Wait(TimeSpan.FromSeconds(60))))
            {
                throw new InvalidOperationException($"Only {subscribers - ready.CurrentCount} of {subscribers} subscribers were ready after 60 s");
            }

            Console.WriteLine($"P3: {subscribers} subscribers connected in {connectWatch.ElapsedMilliseconds} ms ({failures} failed)");
            await Task.Delay(500); // let the connection burst settle

            // The posts go through the first instance, one every 100 ms on a fixed schedule.
            using var poster = new HttpClient { BaseAddress = apis[0].BaseAddress };
            poster.DefaultRequestHeaders.Add("X-Api-Key", key);
            var postWatch = Stopwatch.StartNew();
            var postErrors = 0;
            for (var i = 0; i < Posts; i++)
            {
                var due = Interval * i - postWatch.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }

                sent[i] = Stopwatch.GetTimestamp();
                using var posted = await poster.PostAsJsonAsync($"/api/v1/agents/{agent}/activities", new { type = "message", summary = $"p3 event {i}" });
                if (posted.StatusCode != HttpStatusCode.Created)
                {
                    postErrors++;
                    Console.Error.WriteLine($"P3 post {i}: {(int)posted.StatusCode} {await posted.Content.ReadAsStringAsync()}");
                }
            }

            // Wait until every delivery arrived, or the drain time is over.
            var drain = Stopwatch.StartNew();
            while (drain.Elapsed < Drain && arrived.Any(a => a == 0))
            {
                await Task.Delay(50);
            }

            await stop.CancelAsync();
            await Task.WhenAll(readers);

            var delays = new List<double>(arrived.Length);
            var perInstance = new List<double>[Instances];
            for (var i = 0; i < Instances; i++)
            {
                perInstance[i] = [];
            }

            for (var s = 0; s < subscribers; s++)
            {
                for (var n = WarmUpPosts; n < Posts; n++)
                {
                    if (arrived[(s * Posts) + n] is var at and not 0)
                    {
                        var ms = Stopwatch.GetElapsedTime(sent[n], at).TotalMilliseconds;
                        delays.Add(ms);
                        perInstance[s % Instances].Add(ms);
                    }
                }
            }

            // Which posts the slowest deliveries belong to: one slow post reaches 1 % of the samples on its own.
            double LastDelivery(int n) => Enumerable.Range(0, subscribers).Select(s => arrived[(s * Posts) + n]).Where(a => a != 0)
                .Select(a => Stopwatch.GetElapsedTime(sent[n], a).TotalMilliseconds).DefaultIfEmpty(double.NaN).Max();
            var worst = Enumerable.Range(WarmUpPosts, Events).Select(n => (Event: n, Last: LastDelivery(n))).OrderByDescending(e => e.Last).Take(5);
            Console.WriteLine($"P3 warm-up posts (last delivery): {string.Join(", ", Enumerable.Range(0, WarmUpPosts).Select(n => Formatting.Ms(LastDelivery(n))))}; " +
                $"slowest counted posts: {string.Join(", ", worst.Select(e => $"#{e.Event} {Formatting.Ms(e.Last)}"))}");

            var sorted = delays.Order().ToArray();
            var expected = subscribers * Events;
            var missed = expected - sorted.Length;
            var p50 = Statistics.PercentileOfSorted(sorted, 0.50);
            var p99 = Statistics.PercentileOfSorted(sorted, 0.99);
            for (var i = 0; i < Instances; i++)
            {
                var own = perInstance[i].Order().ToArray();
                Console.WriteLine($"P3 instance {i + 1}{(i == 0 ? " (posting)" : "")}: {own.Length} deliveries, p50 {Formatting.Ms(Statistics.PercentileOfSorted(own, 0.5))}, " +
                    $"p99 {Formatting.Ms(Statistics.PercentileOfSorted(own, 0.99))}, max {Formatting.Ms(own.Length == 0 ? double.NaN : own[^1])}");
            }

            Console.WriteLine($"P3: {sorted.Length} of {expected} deliveries, {missed} missed, {postErrors} failed posts, p50 {Formatting.Ms(p50)}, p99 {Formatting.Ms(p99)}, " +
                $"max {Formatting.Ms(sorted.Length == 0 ? double.NaN : sorted[^1])}");

            var total = expected.ToString("N0", CultureInfo.InvariantCulture);
            return
            [
                new ResultRow(Id, $"{Title}, {Events} posts at 10/s: delivery p99", Formatting.Ms(p99), "—", "-", "≤ 100 ms", p99 <= 100 && missed == 0),
                new ResultRow(Id, $"{Title}: delivery p50", Formatting.Ms(p50), "—", "-", "(context)"),
                new ResultRow(Id, $"{Title}: the first post to freshly started instances (not counted above), last delivery",
                    Formatting.Ms(LastDelivery(0)), "—", "-", "(context)"),
                new ResultRow(Id, $"{Title}: deliveries missed (of {total})", missed.ToString(CultureInfo.InvariantCulture), "—", "-", "0", missed == 0),
            ];
        }
        finally
        {
            foreach (var api in apis)
            {
                ProcessStopper.Stop(api);
            }
        }
    }

    /// <summary>The n of "p3 event n" in an activity's data line, or null for other lines (ready, heartbeat).</summary>
    private static int? EventNumber(string line)
    {
        var at = line.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var start = at + Marker.Length;
        var end = start;
        while (end < line.Length && char.IsAsciiDigit(line[end]))
        {
            end++;
        }

        return int.TryParse(line.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 0 and < Posts ? n : null;
    }
}
