using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P1: GET /api/v1/agents?limit=50 with a JWT under row-level security, against pgbench running the
/// same statements as the application role (one round trip: the tenant settings and the page with its
/// channels) and against bare Kestrel returning the same JSON from memory.
/// </summary>
public sealed class P1AgentList : IScenario
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);

    public string Id => "P1";

    public string Title => "GET /agents?limit=50 (JWT, RLS)";

    // The endpoint's round trip: tenant settings prepended to the page query (agents newest first, with all channels).
    private const string PageSql = """
        SELECT 1 WHERE (set_config('app.tenant_id', :tenant, true) || set_config('app.is_platform_admin', 'off', true)) IS NULL \;
        SELECT a.id, a.name, a.description, a.role, a.status, a.model_tier, a.thinking_mode, a.tool_policy, a.assisted_user,
               a.last_active_at, a.created_at, a.updated_at, c.id, c.type, c.name, c.enabled
        FROM (SELECT * FROM agents WHERE tenant_id = :tenant ORDER BY id DESC LIMIT 51) AS a
        LEFT JOIN agent_channels AS c ON c.agent_id = a.id AND c.tenant_id = :tenant
        ORDER BY a.id DESC, c.id;
        """;

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        var data = await environment.DataAsync();
        var api = await environment.StartApiAsync();
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email = data.UserEmailOfFirstTenant, password = BenchData.Password });
        login.EnsureSuccessStatusCode();
        var token = JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString()!;
        var headers = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" };
        var url = new Uri(api.BaseAddress, "/api/v1/agents?limit=50");

        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var body = await http.GetStringAsync(url);
        var bare = await environment.StartBareKestrelAsync(body);

        var rows = new List<ResultRow>();
        foreach (var connections in new[] { 16, 64 })
        {
            await Tools.WrkAsync(url, connections, TimeSpan.FromSeconds(20), headers); // warm-up: until the tiered JIT settles
            var ours = await Tools.WrkAsync(url, connections, Duration, headers);
            var pg = await Tools.PgBenchAsync(environment.Database.AppConnectionString, PageSql, connections, Duration,
                new Dictionary<string, string> { ["tenant"] = $"'{data.TenantIds[0]}'" }, protocol: "simple");
            var kestrel = await Tools.WrkAsync(new Uri(bare.BaseAddress, "/api/v1/agents"), connections, Duration);

            var throughput = ours.RequestsPerSecond / pg.RequestsPerSecond;
            var tail = ours.P99Ms / pg.P99Ms;
            rows.Add(new ResultRow(Id, $"{Title}, {connections} conn: req/s vs pgbench", $"{ours.RequestsPerSecond:0}", $"{pg.RequestsPerSecond:0}",
                ResultsTable.Ratio(ours.RequestsPerSecond, pg.RequestsPerSecond), "≥ 0.50×", throughput >= 0.5));
            rows.Add(new ResultRow(Id, $"{Title}, {connections} conn: p99 vs pgbench", F(ours.P99Ms) + " ms", F(pg.P99Ms) + " ms",
                ResultsTable.Ratio(ours.P99Ms, pg.P99Ms), "≤ 3×", tail <= 3));
            rows.Add(new ResultRow(Id, $"{Title}, {connections} conn: req/s vs bare Kestrel", $"{ours.RequestsPerSecond:0}", $"{kestrel.RequestsPerSecond:0}",
                ResultsTable.Ratio(ours.RequestsPerSecond, kestrel.RequestsPerSecond), "(context)"));
            if (ours.Errors > 0)
            {
                Console.WriteLine($"P1 {connections}: {ours.Errors} non-2xx responses");
            }
        }

        return rows;
    }

    private static string F(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}
