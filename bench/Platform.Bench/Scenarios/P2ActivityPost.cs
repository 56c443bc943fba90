using System.Globalization;
using System.Text;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P2: POST /api/v1/agents/{id}/activities with an API key (one transaction: UPDATE agents.last_active_at,
/// INSERT agent_activities, INSERT audit_logs; then one Redis script call XADD + PUBLISH), 16 connections,
/// against pgbench running the same statements as the application role in one transaction, same clients
/// and duration. Both sides spread their posts over 16 agents of one tenant, picking one at random per
/// request (wrk through a Lua <c>request</c> function, pgbench through <c>random()</c> into an array of ids).
/// After their warm-ups the two sides take turns for three rounds of 15 s; each side's rate is its rounds' total.
/// </summary>
public sealed class P2ActivityPost : IScenario
{
    private const int TenantNo = 100;
    private const int Connections = 16;
    private const int Agents = 16;
    // Until the tiered JIT settles: dotnet-counters on the API showed it compiling 1.1-1.4 s per 2 s until about 32 s
    // into this load (with PGO, hot methods are compiled twice more after start-up), so a 20 s warm-up left it in the
    // measured window (API CPU per post 0.55 vs 0.45 ms in the next window).
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan PgBenchWarmUp = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);
    private const int Rounds = 3;

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
            var variables = new Dictionary<string, string>
            {
                ["tenant"] = tenantId.ToString(),
                ["agents"] = "{" + string.Join(",", agents) + "}",
                ["key"] = keyId.ToString(),
            };
            Task<LoadResult> Ours(TimeSpan duration) => WrkLoad.ScriptAsync(url, Connections, duration, lua.ToString());
            Task<LoadResult> Reference(TimeSpan duration) =>
                Tools.PgBenchAsync(environment.Database.AppConnectionString, TransactionSql, Connections, duration, variables);

            await Ours(WarmUp);
            await Reference(PgBenchWarmUp);

            // The two sides take turns, so a drift of the machine's speed during the run reaches both (pgbench alone
            // ranged from 4,900 to 7,400 tps between runs). The other side is idle meanwhile.
            var before = await SeededData.ScalarAsync(environment, countSql, tenantId);
            var ours = new List<(LoadResult Load, (double Api, double Postgres) Cpu)>();
            var pg = new List<(LoadResult Load, (double Api, double Postgres) Cpu)>();
            for (var round = 1; round <= Rounds; round++)
            {
                ours.Add(await MeasureAsync(api.ProcessId, postmaster, () => Ours(Duration)));
                pg.Add(await MeasureAsync(null, postmaster, () => Reference(Duration)));
                Console.WriteLine($"P2 round {round}: API {ours[^1].Load.Describe()}, CPU per request: API {PerRequest(ours[^1].Cpu.Api, ours[^1].Load)}, " +
                    $"PostgreSQL {PerRequest(ours[^1].Cpu.Postgres, ours[^1].Load)}; pgbench {pg[^1].Load.Describe()}, CPU per transaction: PostgreSQL {PerRequest(pg[^1].Cpu.Postgres, pg[^1].Load)}");
            }

            var stored = await SeededData.ScalarAsync(environment, countSql, tenantId) - before;
            var oursTotal = Sum(ours);
            var pgTotal = Sum(pg);
            var errors = ours.Sum(o => o.Load.Errors);
            var apiPosts = ours.Sum(o => o.Load.Requests);
            Console.WriteLine($"P2 API: {apiPosts} requests, {errors} errors, {stored} activities stored (pgbench's are stored too)");
            var ratio = oursTotal.Load.RequestsPerSecond / pgTotal.Load.RequestsPerSecond;
            var errorNote = errors > 0 ? $" ({errors} errors)" : "";
            return
            [
                new ResultRow(Id, $"{Title}, {Connections} conn, {Agents} agents, {Rounds} alternating rounds of {Duration.TotalSeconds:0} s: req/s vs pgbench",
                    $"{oursTotal.Load.RequestsPerSecond:0}{errorNote}", $"{pgTotal.Load.RequestsPerSecond:0}",
                    ResultsTable.Ratio(oursTotal.Load.RequestsPerSecond, pgTotal.Load.RequestsPerSecond), "≥ 0.40×", ratio >= 0.4 && errors == 0),
                new ResultRow(Id, $"{Title}, {Connections} conn: p99 vs pgbench (worst round)", Formatting.Ms(ours.Max(o => o.Load.P99Ms)),
                    Formatting.Ms(pg.Max(o => o.Load.P99Ms)), ResultsTable.Ratio(ours.Max(o => o.Load.P99Ms), pg.Max(o => o.Load.P99Ms)), "(context)"),
                new ResultRow(Id, $"{Title}: req/s ratio per round", string.Join(", ", ours.Zip(pg, (o, r) => ResultsTable.Ratio(o.Load.RequestsPerSecond, r.Load.RequestsPerSecond))),
                    "-", "-", "(context)"),
                new ResultRow(Id, $"{Title}: CPU per request, API process + PostgreSQL vs pgbench's PostgreSQL",
                    $"{PerRequest(oursTotal.Cpu.Api, oursTotal.Load)} + {PerRequest(oursTotal.Cpu.Postgres, oursTotal.Load)}", PerRequest(pgTotal.Cpu.Postgres, pgTotal.Load), "-", "(context)"),
            ];
        }
        finally
        {
            ProcessStopper.Stop(api);
        }
    }

    /// <summary>The rounds of one side as one load: requests and CPU summed, rate over the summed time.</summary>
    private static (LoadResult Load, (double Api, double Postgres) Cpu) Sum(List<(LoadResult Load, (double Api, double Postgres) Cpu)> rounds)
    {
        var requests = rounds.Sum(r => r.Load.Requests);
        var seconds = rounds.Sum(r => r.Load.Requests / r.Load.RequestsPerSecond);
        var load = new LoadResult(requests / seconds, rounds.Max(r => r.Load.P99Ms), rounds.Average(r => r.Load.MeanMs), requests, rounds.Sum(r => r.Load.Errors));
        return (load, (rounds.Sum(r => r.Cpu.Api), rounds.Sum(r => r.Cpu.Postgres)));
    }

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
