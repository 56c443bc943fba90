using System.Text.RegularExpressions;

namespace Platform.Bench;

/// <summary>
/// P3: the live activity feed (SSE) with 1,000 subscribers over 2 API instances (500 each, one tenant, a user's JWT).
/// 50 activities are posted through the first instance, one every 100 ms; each delivery's delay runs from just before its
/// POST to the event's arrival. Three posts go first, uncounted: the first post to a fresh instance compiles its path (EF,
/// the Redis script, the fan-out) and would alone be 2 % of the samples; its last delivery is reported beside.
/// </summary>
public sealed partial class P3ActivityFeed : IScenario
{
    private const int TenantNo = 99;
    private const int Instances = 2;
    private const int Subscribers = 1_000;
    private const int WarmUpPosts = 3;
    private const int Events = 50;
    private const int Posts = WarmUpPosts + Events;

    public string Id => "P3";

    public string Title => "SSE feed: 1,000 subscribers on 2 instances";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        var data = await environment.DataAsync();
        var agent = (await SeededData.AgentIdsAsync(environment, data.TenantIds[TenantNo - 1], 1))[0];
        var apis = new List<ReleaseProcess>();
        try
        {
            for (var i = 0; i < Instances; i++)
            {
                apis.Add(await environment.StartApiAsync());
            }

            var (_, key) = await SeededData.CreateApiKeyAsync(apis[0].BaseAddress, TenantNo, "bench P3", "activities:write");
            var token = await SeededData.AccessTokenAsync(apis[1].BaseAddress, SeededData.UserEmail(TenantNo, 2));
            var sent = new long[Posts];
            var arrived = new long[Subscribers * Posts];
            using var ready = new CountdownEvent(Subscribers);
            using var stop = new CancellationTokenSource();
            using var feed = SseStream.Client(Subscribers);
            using var opening = new SemaphoreSlim(50); // connection attempts in flight
            var failures = 0;
            var readers = Enumerable.Range(0, Subscribers).Select(s => Task.Run(async () =>
            {
                var signalled = false;
                try
                {
                    await opening.WaitAsync(stop.Token);
                    await SseStream.ReadAsync(feed, apis[s % Instances].BaseAddress, token, null, (type, _, json) =>
                    {
                        var now = Stopwatch.GetTimestamp();
                        if (type == "ready" && !signalled)
                        {
                            signalled = true;
                            opening.Release();
                            ready.Signal();
                        }
                        else if (type == "activity" && json is not null && EventNumber().Match(json) is { Success: true } m && int.Parse(m.Groups[1].Value) < Posts)
                        {
                            arrived[(s * Posts) + int.Parse(m.Groups[1].Value)] = now;
                        }
                    }, stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException)
                {
                    if (!stop.IsCancellationRequested && Interlocked.Increment(ref failures) <= 5)
                    {
                        Console.Error.WriteLine($"P3 subscriber {s}: {ex.Message}");
                    }
                }
                finally
                {
                    if (!signalled)
                    {
                        opening.Release();
                        ready.Signal();
                    }
                }
            })).ToArray();

            Statistics.Check(await Task.Run(() => ready.Wait(TimeSpan.FromSeconds(60))), $"only {Subscribers - ready.CurrentCount} subscribers were ready after 60 s");
            Console.WriteLine($"P3: {Subscribers} subscribers connected ({failures} failed)");
            await Task.Delay(500); // let the connection burst settle

            using var poster = new HttpClient { BaseAddress = apis[0].BaseAddress };
            poster.DefaultRequestHeaders.Add("X-Api-Key", key);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Posts; i++)
            {
                if (TimeSpan.FromMilliseconds(100 * i) - clock.Elapsed is { Ticks: > 0 } due)
                {
                    await Task.Delay(due);
                }

                sent[i] = Stopwatch.GetTimestamp();
                using var posted = await poster.PostAsJsonAsync($"/api/v1/agents/{agent}/activities", new { type = "message", summary = $"p3 event {i}" });
                Statistics.Check(posted.StatusCode == HttpStatusCode.Created, $"post {i}: {(int)posted.StatusCode} {await posted.Content.ReadAsStringAsync()}");
            }

            var drain = Stopwatch.StartNew();
            while (drain.Elapsed < TimeSpan.FromSeconds(3) && arrived.Any(a => a == 0))
            {
                await Task.Delay(50);
            }

            await stop.CancelAsync();
            await Task.WhenAll(readers);

            double Delay(int s, int n) => arrived[(s * Posts) + n] is var at and not 0 ? Stopwatch.GetElapsedTime(sent[n], at).TotalMilliseconds : double.NaN;
            var delays = Enumerable.Range(0, Subscribers).SelectMany(s => Enumerable.Range(WarmUpPosts, Events).Select(n => Delay(s, n))).Where(d => !double.IsNaN(d)).Order().ToArray();
            var missed = (Subscribers * Events) - delays.Length;
            var (p50, p99) = (PercentileOfSorted(delays, 0.5), PercentileOfSorted(delays, 0.99));
            Console.WriteLine($"P3: {delays.Length} of {Subscribers * Events} deliveries, p50 {Ms(p50)}, p99 {Ms(p99)}, max {Ms(delays.DefaultIfEmpty(double.NaN).Last())}");
            return
            [
                new(Id, $"{Title}, {Events} posts at 10/s: delivery p99", Ms(p99), "—", "-", "≤ 100 ms", p99 <= 100 && missed == 0),
                new(Id, $"{Title}: deliveries missed (of {N(Subscribers * Events)})", N(missed), "—", "-", "0", missed == 0),
            ];
        }
        finally
        {
            foreach (var api in apis)
            {
                await api.DisposeAsync();
            }
        }
    }

    [GeneratedRegex("\"summary\":\"p3 event (\\d+)\"")]
    private static partial Regex EventNumber();
}
