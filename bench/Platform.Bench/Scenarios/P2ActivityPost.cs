using System.Globalization;
using System.Text;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P2: POST /api/v1/agents/{id}/activities with an API key (one transaction: UPDATE agents.last_active_at,
/// INSERT agent_activities, INSERT audit_logs; then one Redis script call XADD + PUBLISH), 16 connections,
/// against pgbench running the same statements as the application role in one transaction, same clients
/// and duration. Both sides spread their posts over 16 agents of one tenant, picking one at random per
/// request (wrk through a Lua <c>request</c> function, pgbench through <c>random()</c> into an array of ids).
/// </summary>
public sealed class P2ActivityPost : IScenario
{
    private const int TenantNo = 100;
    private const int Connections = 16;
    private const int Agents = 16;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(20); // until the tiered JIT settles
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);

    private const string Body = """{"type":"tool_call","summary":"bench activity","details":{"tool":"search","ms": 12}}""";

    // What the endpoint runs, as the application role: the tenant settings, the touch, the activity and
    // its audit row (the details the audit interceptor writes for an added activity), in one transaction.
    // The agent is drawn at random from the same 16 as the API side. (": 12" keeps pgbench from reading ":12" as a variable.)
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
        var tenantId = SeededData.Tenant(data, TenantNo);
        var agents = await SeededData.AgentIdsAsync(environment, tenantId, Agents);
        var api = await environment.StartApiAsync();
        try
        {
            var (keyId, key) = await ApiCredentials.CreateApiKeyAsync(api.BaseAddress, TenantNo, "bench P2", "activities:write");

            var lua = new StringBuilder();
            lua.AppendLine("wrk.method = \"POST\"");
            lua.AppendLine($"wrk.body = [==[{Body}]==]");
            lua.AppendLine("wrk.headers[\"Content-Type\"] = \"application/json\"");
            lua.AppendLine($"wrk.headers[\"X-Api-Key\"] = \"{key}\"");
            lua.AppendLine($"local paths = {{ {string.Join(", ", agents.Select(a => $"\"/api/v1/agents/{a}/activities\""))} }}");
            lua.AppendLine("""
                local threads = 0
                setup = function(thread) threads = threads + 1; thread:set("seed", threads) end
                init = function(args) math.randomseed(seed * 7919 + os.time()) end
                request = function() return wrk.format(nil, paths[math.random(#paths)]) end
                """);
            var url = new Uri(api.BaseAddress, $"/api/v1/agents/{agents[0]}/activities");

            const string countSql = "SELECT count(*) FROM agent_activities WHERE tenant_id = @tenant";
            var postmaster = ProcessCpuTime.PostmasterPid(environment);
            await WrkLoad.ScriptAsync(url, Connections, WarmUp, lua.ToString());
            var before = await SeededData.ScalarAsync(environment, countSql, tenantId);
            var (ours, oursCpu) = await MeasureAsync(api.ProcessId, postmaster, () => WrkLoad.ScriptAsync(url, Connections, Duration, lua.ToString()));
            var stored = await SeededData.ScalarAsync(environment, countSql, tenantId) - before;
            Console.WriteLine($"P2 API: {ours.Requests} requests, {ours.Errors} errors, {stored} activities stored, {F(ours.RequestsPerSecond)} req/s, p99 {Formatting.Ms(ours.P99Ms)}; " +
                $"CPU per request: API {PerRequest(oursCpu.Api, ours)}, PostgreSQL {PerRequest(oursCpu.Postgres, ours)}");

            // The same load once more: the first window still carries the tiered JIT's warm-up (context only).
            var (steady, steadyCpu) = await MeasureAsync(api.ProcessId, postmaster, () => WrkLoad.ScriptAsync(url, Connections, Duration, lua.ToString()));
            Console.WriteLine($"P2 API, second window: {steady.Requests} requests, {steady.Errors} errors, {F(steady.RequestsPerSecond)} req/s, p99 {Formatting.Ms(steady.P99Ms)}; " +
                $"CPU per request: API {PerRequest(steadyCpu.Api, steady)}, PostgreSQL {PerRequest(steadyCpu.Postgres, steady)}");
            ProcessStopper.Stop(api); // idle from here on; pgbench gets the cores as wrk and the API had them

            var variables = new Dictionary<string, string>
            {
                ["tenant"] = tenantId.ToString(),
                ["agents"] = "{" + string.Join(",", agents) + "}",
                ["key"] = keyId.ToString(),
            };
            await Tools.PgBenchAsync(environment.Database.AppConnectionString, TransactionSql, Connections, WarmUp, variables);
            var (pg, pgCpu) = await MeasureAsync(null, postmaster,
                () => Tools.PgBenchAsync(environment.Database.AppConnectionString, TransactionSql, Connections, Duration, variables));
            Console.WriteLine($"P2 pgbench: {pg.Requests} transactions, {F(pg.RequestsPerSecond)} tps, p99 {Formatting.Ms(pg.P99Ms)}; CPU per transaction: PostgreSQL {PerRequest(pgCpu.Postgres, pg)}");

            var ratio = ours.RequestsPerSecond / pg.RequestsPerSecond;
            var errors = ours.Errors > 0 ? $" ({ours.Errors} errors)" : "";
            return
            [
                new ResultRow(Id, $"{Title}, {Connections} conn, {Agents} agents: req/s vs pgbench", $"{ours.RequestsPerSecond:0}{errors}", $"{pg.RequestsPerSecond:0}",
                    ResultsTable.Ratio(ours.RequestsPerSecond, pg.RequestsPerSecond), "≥ 0.40×", ratio >= 0.4 && ours.Errors == 0),
                new ResultRow(Id, $"{Title}, {Connections} conn: p99 vs pgbench", Formatting.Ms(ours.P99Ms), Formatting.Ms(pg.P99Ms),
                    ResultsTable.Ratio(ours.P99Ms, pg.P99Ms), "(context)"),
                new ResultRow(Id, $"{Title}, {Connections} conn, next {Duration.TotalSeconds:0} s (JIT settled): req/s vs pgbench", $"{steady.RequestsPerSecond:0}",
                    $"{pg.RequestsPerSecond:0}", ResultsTable.Ratio(steady.RequestsPerSecond, pg.RequestsPerSecond), "(context)"),
                new ResultRow(Id, $"{Title}: CPU per request, API process + PostgreSQL vs pgbench's PostgreSQL",
                    $"{PerRequest(steadyCpu.Api, steady)} + {PerRequest(steadyCpu.Postgres, steady)}", PerRequest(pgCpu.Postgres, pg), "-", "(context)"),
            ];
        }
        finally
        {
            ProcessStopper.Stop(api);
        }
    }

    private static string F(double value) => value.ToString("0", CultureInfo.InvariantCulture);

    private static string PerRequest(double cpuSeconds, LoadResult load) =>
        load.Requests == 0 ? "-" : (cpuSeconds * 1000 / load.Requests).ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    /// <summary>Runs a load and the CPU seconds the API process and PostgreSQL (postmaster and backends) spent meanwhile.</summary>
    private static async Task<(LoadResult Load, (double Api, double Postgres) Cpu)> MeasureAsync(int? apiPid, int? postmaster, Func<Task<LoadResult>> load)
    {
        var api = apiPid is { } a ? ProcessCpuTime.CpuSeconds(a) : 0;
        var pg = postmaster is { } p ? ProcessCpuTime.CpuSeconds(p, withChildren: true) : 0;
        var result = await load();
        return (result, ((apiPid is { } a2 ? ProcessCpuTime.CpuSeconds(a2) : 0) - api, (postmaster is { } p2 ? ProcessCpuTime.CpuSeconds(p2, withChildren: true) : 0) - pg));
    }
}
