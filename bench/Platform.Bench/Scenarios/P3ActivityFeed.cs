namespace Platform.Bench;

/// <summary>
/// P3: the live activity feed (SSE) with 1,000 subscribers over 2 API instances (500 each, one tenant, a user's JWT).
/// 50 activities are posted through the first instance, one every 100 ms; each delivery's delay runs from just before its
/// POST to the event's arrival. Three posts go first, uncounted: the first post to a fresh instance compiles its path (EF,
/// the Redis script, the fan-out) and would alone be 2 % of the samples.
/// </summary>
public sealed class P3ActivityFeed : IScenario
{
    private const int TenantNo = 99;
    private const int Subscribers = 1_000;
    private const int WarmUpPosts = 3;
    private const int Events = 50;

    public string Id => "P3";
    public string Title => "SSE feed: 1,000 subscribers on 2 instances";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        var data = await environment.DataAsync();
        var agent = (await SeededData.AgentIdsAsync(environment, data.TenantIds[TenantNo - 1], 1))[0];
        await using var first = await environment.StartApiAsync();
        await using var second = await environment.StartApiAsync();
        Uri[] apis = [first.BaseAddress, second.BaseAddress];
        var (_, key) = await SeededData.CreateApiKeyAsync(apis[0], TenantNo, "bench P3", "activities:write");
        var token = await SeededData.AccessTokenAsync(apis[1], SeededData.UserEmail(TenantNo, 2));
        var posted = new List<(Guid Id, long Sent)>();
        await using var feeds = new FeedSubscribers(Enumerable.Range(0, Subscribers)
            .Select(s => new FeedSubscriber(apis[s % apis.Length], () => token, () => [.. posted.Select(p => p.Id)])));
        var allReady = await feeds.StartAsync(TimeSpan.FromSeconds(60));
        Console.WriteLine($"P3: {feeds.All.Count(s => s.Ready.IsCompleted)} of {Subscribers} subscribers ready{(allReady ? "" : " after 60 s")}");
        await Task.Delay(500); // let the connection burst settle

        using var poster = new HttpClient { BaseAddress = apis[0] };
        poster.DefaultRequestHeaders.Add("X-Api-Key", key);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < WarmUpPosts + Events; i++)
        {
            if (TimeSpan.FromMilliseconds(100 * i) - clock.Elapsed is { Ticks: > 0 } due) await Task.Delay(due);

            var sent = Stopwatch.GetTimestamp();
            using var response = await poster.PostAsJsonAsync($"/api/v1/agents/{agent}/activities", new { type = "message", summary = $"p3 event {i}" });
            var body = await response.Content.ReadAsStringAsync();
            Check(response.StatusCode == HttpStatusCode.Created, $"post {i}: {(int)response.StatusCode} {body}");
            posted.Add((JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid(), sent));
        }

        await feeds.StopAsync(TimeSpan.FromSeconds(3));
        var counted = posted.Skip(WarmUpPosts).ToList();
        var delays = feeds.All.SelectMany(s => counted.Select(p => s.ArrivalOf(p.Id) is { } at ? Stopwatch.GetElapsedTime(p.Sent, at).TotalMilliseconds : double.NaN))
            .Where(d => !double.IsNaN(d)).Order().ToArray();
        var missed = (Subscribers * Events) - delays.Length;
        var (p50, p99) = (PercentileOfSorted(delays, 0.5), PercentileOfSorted(delays, 0.99));
        Console.WriteLine($"P3: {delays.Length} of {Subscribers * Events} deliveries, p50 {Ms(p50)}, p99 {Ms(p99)}, max {Ms(delays.DefaultIfEmpty(double.NaN).Last())}");
        return
        [
            new(Id, $"{Title}, {Events} posts at 10/s: delivery p99", Ms(p99), "—", "-", "≤ 100 ms", p99 <= 100 && missed == 0),
            new(Id, $"{Title}: deliveries missed (of {N(Subscribers * Events)})", N(missed), "—", "-", "0", missed == 0),
        ];
    }
}
