namespace Platform.Bench;

/// <summary>
/// P1: GET /api/v1/agents?limit=50 with a JWT under row-level security, against pgbench running the same statements as
/// the application role (one round trip: the tenant settings and the page with its channels). 16 and 64 connections, 15 s
/// each after a 20 s warm-up.
/// </summary>
public sealed class P1AgentList : IScenario
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);

    // The endpoint's round trip: tenant settings prepended to the page query (agents newest first, with all channels).
    private const string PageSql = """
        SELECT 1 WHERE (set_config('app.tenant_id', :tenant, true) || set_config('app.is_platform_admin', 'off', true)) IS NULL \;
        SELECT a.id, a.name, a.description, a.role, a.status, a.model_tier, a.thinking_mode, a.tool_policy, a.assisted_user,
               a.last_active_at, a.created_at, a.updated_at, c.id, c.type, c.name, c.enabled
        FROM (SELECT * FROM agents WHERE tenant_id = :tenant ORDER BY id DESC LIMIT 51) AS a
        LEFT JOIN agent_channels AS c ON c.agent_id = a.id AND c.tenant_id = :tenant
        ORDER BY a.id DESC, c.id;
        """;

    public string Id => "P1";
    public string Title => "GET /agents?limit=50 (JWT, RLS)";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        var data = await environment.DataAsync();
        await using var api = await environment.StartApiAsync();
        var token = await SeededData.AccessTokenAsync(api.BaseAddress, data.UserEmailOfFirstTenant);
        var headers = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" };
        var url = new Uri(api.BaseAddress, "/api/v1/agents?limit=50");

        var rows = new List<ResultRow>();
        foreach (var connections in new[] { 16, 64 })
        {
            await Tools.WrkAsync(url, connections, TimeSpan.FromSeconds(20), headers); // warm-up: until the tiered JIT settles
            var ours = await Tools.WrkAsync(url, connections, Duration, headers);
            var pg = await Tools.PgBenchAsync(environment.Database.AppConnectionString, PageSql, connections, Duration,
                new Dictionary<string, string> { ["tenant"] = $"'{data.TenantIds[0]}'" }, protocol: "simple");

            var title = $"{Title}, {connections} conn";
            rows.Add(new(Id, $"{title}: req/s vs pgbench", F(ours.RequestsPerSecond, "0"), F(pg.RequestsPerSecond, "0"),
                Ratio(ours.RequestsPerSecond, pg.RequestsPerSecond), "≥ 0.50×", ours.RequestsPerSecond >= 0.5 * pg.RequestsPerSecond && ours.Errors == 0));
            rows.Add(new(Id, $"{title}: p99 vs pgbench", Ms(ours.P99Ms), Ms(pg.P99Ms), Ratio(ours.P99Ms, pg.P99Ms), "≤ 3×", ours.P99Ms <= 3 * pg.P99Ms));
        }

        return rows;
    }
}
