using System.Globalization;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P8: cold start of the API to its first healthy answer (median of 3 starts) against bare Kestrel's
/// start to its first answer (median of 3), and the API's resident memory after 100,000 requests of
/// GET /api/v1/agents?limit=50 (JWT) against bare Kestrel's after the same count of the same JSON.
/// </summary>
public sealed class P8StartupMemory : IScenario
{
    private const int Starts = 3;
    private const int Connections = 16;
    private const long RequestTarget = 100_000;
    private static readonly TimeSpan LoadLimit = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan MaxRound = TimeSpan.FromSeconds(60);

    public string Id => "P8";

    public string Title => "Cold start and memory";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        var data = await environment.DataAsync();
        var started = new List<ReleaseProcess>();
        try
        {
            // The first API start also yields the list body that bare Kestrel serves; starts then alternate.
            var apiStarts = new List<TimeSpan>();
            var bareStarts = new List<TimeSpan>();
            var api = await environment.StartApiAsync();
            started.Add(api);
            apiStarts.Add(api.Startup);
            var token = await ApiCredentials.LoginAsync(api.BaseAddress, data.UserEmailOfFirstTenant);
            var headers = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" };
            string body;
            using (var http = new HttpClient { BaseAddress = api.BaseAddress })
            {
                http.DefaultRequestHeaders.Authorization = new("Bearer", token);
                body = await http.GetStringAsync("/api/v1/agents?limit=50");
            }

            ReleaseProcess? bare = null;
            for (var i = 0; i < Starts; i++)
            {
                if (i > 0)
                {
                    ProcessStopper.Stop(api);
                    api = await environment.StartApiAsync();
                    started.Add(api);
                    apiStarts.Add(api.Startup);
                }

                if (bare is not null)
                {
                    ProcessStopper.Stop(bare);
                }

                bare = await environment.StartBareKestrelAsync(body);
                started.Add(bare);
                bareStarts.Add(bare.Startup);
            }

            Console.WriteLine($"P8 API starts: {string.Join(", ", apiStarts.Select(Ms))}; bare Kestrel starts: {string.Join(", ", bareStarts.Select(Ms))}");
            var apiStart = Median(apiStarts);
            var bareStart = Median(bareStarts);

            // Memory: the last API instance, after 100,000 answered list requests (wrk in rounds until the count is reached).
            var apiIdle = api.RssBytes;
            var apiProcess = api;
            var apiLoad = await WrkLoad.UntilCountAsync(new Uri(api.BaseAddress, "/api/v1/agents?limit=50"), Connections, RequestTarget, LoadLimit, MaxRound, headers,
                requests => Console.WriteLine($"P8 API: {requests} requests, RSS {Formatting.Mb(apiProcess.RssBytes)}"));
            var apiRss = api.RssBytes;
            ProcessStopper.Stop(api);

            var bareIdle = bare!.RssBytes;
            var bareLoad = await WrkLoad.UntilCountAsync(new Uri(bare.BaseAddress, "/api/v1/agents"), Connections, RequestTarget, LoadLimit, MaxRound);
            var bareRss = bare.RssBytes;
            ProcessStopper.Stop(bare);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"P8 API: RSS {Formatting.Mb(apiIdle)} idle -> {Formatting.Mb(apiRss)} after {apiLoad.Requests} requests ({apiLoad.Errors} errors, {apiLoad.RequestsPerSecond:0} req/s); " +
                $"bare Kestrel: {Formatting.Mb(bareIdle)} -> {Formatting.Mb(bareRss)} after {bareLoad.Requests} requests ({bareLoad.RequestsPerSecond:0} req/s)"));

            var reached = apiLoad.Requests >= RequestTarget && bareLoad.Requests >= RequestTarget && apiLoad.Errors == 0;
            var count = apiLoad.Requests.ToString("N0", CultureInfo.InvariantCulture);
            return
            [
                new ResultRow(Id, $"API cold start to healthy (median of {Starts}) vs bare Kestrel", Ms(apiStart), Ms(bareStart),
                    ResultsTable.Ratio(apiStart.TotalMilliseconds, bareStart.TotalMilliseconds), "≤ 2×", apiStart <= bareStart * 2),
                new ResultRow(Id, $"RSS after {count} GET /agents?limit=50 vs bare Kestrel after {bareLoad.Requests.ToString("N0", CultureInfo.InvariantCulture)}",
                    Formatting.Mb(apiRss), Formatting.Mb(bareRss), ResultsTable.Ratio(apiRss, bareRss), "API ≤ 200 MB", reached && apiRss <= 200L * 1024 * 1024),
                new ResultRow(Id, "RSS idle after start vs bare Kestrel", Formatting.Mb(apiIdle), Formatting.Mb(bareIdle), ResultsTable.Ratio(apiIdle, bareIdle), "(context)"),
            ];
        }
        finally
        {
            foreach (var process in started)
            {
                ProcessStopper.Stop(process);
            }
        }
    }

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
