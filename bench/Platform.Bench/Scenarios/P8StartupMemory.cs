namespace Platform.Bench;

/// <summary>
/// P8: start-up of the API to its first healthy answer (/health: PostgreSQL and Redis checked), wall time and the CPU time
/// the process had used by then, against a minimal API on the same stack published and started the same way
/// (bench/ReferenceApi: EF Core + Npgsql, Redis, ServiceDefaults, JWT, OpenAPI, the same health checks), and bare Kestrel
/// as context; five starts of each, interleaved, medians compared. Then the API's resident memory after 100,000 requests
/// of GET /api/v1/agents?limit=50 (JWT), beside bare Kestrel's after as many of the same JSON.
/// </summary>
public sealed class P8StartupMemory : IScenario
{
    private const int Starts = 5;
    private const long Requests = 100_000;

    public string Id => "P8";
    public string Title => "Start-up and memory";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        var data = await environment.DataAsync();
        string token, body;
        await using (var first = await environment.StartApiAsync())
        {
            token = await SeededData.AccessTokenAsync(first.BaseAddress, data.UserEmailOfFirstTenant);
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            body = await http.GetStringAsync(new Uri(first.BaseAddress, "/api/v1/agents?limit=50"));
        }

        var apps = new (string Name, Func<Task<ReleaseProcess>> Start)[]
        {
            ("API", () => environment.StartApiAsync()),
            ("reference API", environment.StartReferenceApiAsync),
            ("bare Kestrel", () => environment.StartBareKestrelAsync(body)),
        };
        var starts = apps.ToDictionary(a => a.Name, _ => new List<(double Ms, double CpuMs)>());
        for (var i = 0; i < Starts; i++)
        {
            foreach (var (name, start) in apps.Skip(i % apps.Length).Concat(apps.Take(i % apps.Length)))
            {
                await using var app = await start();
                starts[name].Add((app.Startup.TotalMilliseconds, app.StartupCpuSeconds * 1000));
            }
        }

        foreach (var (name, list) in starts) Console.WriteLine($"P8 {name} starts (wall/CPU ms): {string.Join(", ", list.Select(s => $"{F(s.Ms, "0")}/{F(s.CpuMs, "0")}"))}");

        double Wall(string name) => Median(starts[name].Select(s => s.Ms));
        double Cpu(string name) => Median(starts[name].Select(s => s.CpuMs));

        await using var api = await environment.StartApiAsync();
        var headers = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" };
        var (apiRequests, apiErrors) = await LoadAsync(new Uri(api.BaseAddress, "/api/v1/agents?limit=50"), headers);
        var apiRss = api.RssBytes;
        api.Stop();
        await using var bare = await environment.StartBareKestrelAsync(body);
        var (bareRequests, _) = await LoadAsync(new Uri(bare.BaseAddress, "/api/v1/agents"), null);
        var bareRss = bare.RssBytes;
        return
        [
            new(Id, $"API start to first healthy answer, wall (median of {Starts}) vs reference API", Ms(Wall("API")), Ms(Wall("reference API")),
                Ratio(Wall("API"), Wall("reference API")), "≤ 1.3×", Wall("API") <= 1.3 * Wall("reference API")),
            new(Id, $"API start to first healthy answer, CPU time (median of {Starts}) vs reference API", Ms(Cpu("API")), Ms(Cpu("reference API")),
                Ratio(Cpu("API"), Cpu("reference API")), "≤ 1.4×", Cpu("API") <= 1.4 * Cpu("reference API")),
            new(Id, "API start to first healthy answer, wall / CPU vs bare Kestrel", $"{Ms(Wall("API"))} / {Ms(Cpu("API"))}",
                $"{Ms(Wall("bare Kestrel"))} / {Ms(Cpu("bare Kestrel"))}", Ratio(Wall("API"), Wall("bare Kestrel")), "(context)"),
            new(Id, $"RSS after {N(apiRequests)} GET /agents?limit=50 vs bare Kestrel after {N(bareRequests)}", Mib(apiRss), Mib(bareRss),
                Ratio(apiRss, bareRss), "API ≤ 200 MB", apiRequests >= Requests && apiErrors == 0 && apiRss <= 200L * 1024 * 1024),
        ];
    }

    /// <summary>wrk on 16 connections in rounds of at most a minute until <see cref="Requests"/> were answered (8 minutes at most).</summary>
    private static async Task<(long Requests, long Errors)> LoadAsync(Uri url, Dictionary<string, string>? headers)
    {
        var (requests, errors, rate) = (0L, 0L, 0.0);
        var watch = Stopwatch.StartNew();
        while (requests < Requests && watch.Elapsed < TimeSpan.FromMinutes(8))
        {
            var seconds = rate == 0 ? 5 : Math.Clamp(Math.Ceiling((Requests - requests) / rate * 1.05), 1, 60);
            var round = await Tools.WrkAsync(url, 16, TimeSpan.FromSeconds(seconds), headers);
            (requests, errors, rate) = (requests + round.Requests, errors + round.Errors, round.RequestsPerSecond);
        }

        return (requests, errors);
    }
}
