namespace Platform.Bench;

/// <summary>
/// P2: POST /api/v1/agents/{id}/activities with an API key (one transaction: touch the agent, insert the activity and its
/// audit row; then one Redis script call), 16 connections spread at random over 16 agents of one tenant, against pgbench
/// running the same statements as the application role in one transaction. After their warm-ups the two sides take turns
/// for three rounds of 15 s, so a drift of the machine's speed reaches both; each side's rate is its rounds' total.
/// </summary>
public sealed class P2ActivityPost : IScenario
{
    private const int TenantNo = 100;
    private const int Connections = 16;
    private const int Agents = 16;
    private const int Rounds = 3;
    private const string Body = """{"type":"tool_call","summary":"bench activity","details":{"tool":"search","ms": 12}}""";

    // The API's tiered JIT (with PGO) still compiled hot methods about 32 s into this load, so the warm-up outlasts it.
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);

    // What the endpoint runs, as the application role, in one transaction. (": 12" keeps pgbench from reading ":12" as a variable.)
    private const string TransactionSql = """
        \set i random(1, 16)
        BEGIN;
        SELECT set_config('app.tenant_id', :tenant, true), set_config('app.is_platform_admin', 'off', true);
        UPDATE agents SET last_active_at = now() WHERE id = (:agents::uuid[])[:i] RETURNING id AS agent \gset
        INSERT INTO agent_activities (id, tenant_id, agent_id, type, summary, details, created_at)
        VALUES (uuid_v7(), :tenant, :agent, 'tool_call', 'bench activity', '{"tool":"search","ms": 12}', now());
        INSERT INTO audit_logs (id, tenant_id, actor_type, actor_id, action, target_type, target_id, severity, details, ip_address, user_agent, created_at)
        VALUES (uuid_v7(), :tenant, 'api_key', :key, 'agent.activity_posted', 'agent', :agent, 'info', '{"entity":"AgentActivity","state":"added"}', '127.0.0.1', NULL, now());
        COMMIT;
        """;

    public string Id => "P2";

    public string Title => "POST /agents/{id}/activities (API key)";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        var data = await environment.DataAsync();
        var tenantId = data.TenantIds[TenantNo - 1];
        var agents = await SeededData.AgentIdsAsync(environment, tenantId, Agents);
        await using var api = await environment.StartApiAsync();
        var (keyId, posts) = await PostLoadAsync(api.BaseAddress, agents, "bench P2");
        var variables = new Dictionary<string, string> { ["tenant"] = tenantId.ToString(), ["agents"] = "{" + string.Join(",", agents) + "}", ["key"] = keyId.ToString() };
        Task<LoadResult> Reference(TimeSpan duration) => Tools.PgBenchAsync(environment.Database.AppConnectionString, TransactionSql, Connections, duration, variables);

        await posts(WarmUp);
        await Reference(TimeSpan.FromSeconds(20));
        var ours = new List<LoadResult>();
        var pg = new List<LoadResult>();
        for (var round = 1; round <= Rounds; round++)
        {
            ours.Add(await posts(Duration));
            pg.Add(await Reference(Duration));
            Console.WriteLine($"P2 round {round}: API {ours[^1].Describe()}; pgbench {pg[^1].Describe()}");
        }

        var (oursRate, pgRate, errors) = (Rate(ours), Rate(pg), ours.Sum(o => o.Errors));
        return
        [
            new(Id, $"{Title}, {Connections} conn, {Agents} agents, {Rounds} alternating rounds of {Duration.TotalSeconds:0} s: req/s vs pgbench",
                F(oursRate, "0") + (errors > 0 ? $" ({errors} errors)" : ""), F(pgRate, "0"), Ratio(oursRate, pgRate), "≥ 0.40×", oursRate >= 0.4 * pgRate && errors == 0),
        ];
    }

    /// <summary>wrk posting activities with a new API key of tenant 100, each to one of <paramref name="agents"/> at random (per-thread seed).</summary>
    public static async Task<(Guid KeyId, Func<TimeSpan, Task<LoadResult>> Run)> PostLoadAsync(Uri api, IReadOnlyList<Guid> agents, string keyName)
    {
        var (keyId, key) = await SeededData.CreateApiKeyAsync(api, TenantNo, keyName, "activities:write");
        var url = new Uri(api, $"/api/v1/agents/{agents[0]}/activities");
        var headers = new Dictionary<string, string> { ["X-Api-Key"] = key };
        var lua = $$"""
            local paths = { {{string.Join(", ", agents.Select(a => $"\"/api/v1/agents/{a}/activities\""))}} }
            local threads = 0
            setup = function(thread) threads = threads + 1; thread:set("seed", threads) end
            init = function(args) math.randomseed(seed * 7919 + os.time()) end
            request = function() return wrk.format(nil, paths[math.random(#paths)]) end
            """;
        return (keyId, duration => Tools.WrkAsync(url, Connections, duration, headers, "POST", Body, lua));
    }

    private static double Rate(List<LoadResult> rounds) => rounds.Sum(r => r.Requests) / rounds.Sum(r => r.Requests / r.RequestsPerSecond);
}
