namespace Platform.Bench;

/// <summary>
/// P11: what growth costs. A copy of the seed (1×) is measured with P1's and P2's API loads, then grown in place to
/// 100,000 tenants and 1,000,000 agents with users, channels and audit rows in the seed's proportions (10× its audit
/// rows), analysed, and measured again. Each side gets a freshly started API and the same warm-up, so the only
/// difference is the data under it.
/// </summary>
public sealed class P11DataGrowth : IScenario
{
    private const int GrowthTenants = 99_900;
    private const int Connections = 16;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);
    private const string PlatformAdminEmail = "growth-platform-admin@bench.test";
    private const string ActivityBody = """{"type":"tool_call","summary":"bench activity","details":{"tool":"search","ms": 12}}""";

    public string Id => "P11";
    public string Title => "Growth to 100,000 tenants, 1,000,000 agents, 10 M audit rows";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        var data = await environment.DataAsync();
        var agents = await SeededData.AgentIdsAsync(environment, data.TenantIds[^1], 16);
        Sql.ClearPools(environment.Database.OwnerConnectionString, environment.Database.AppConnectionString); // the copy needs the seed idle
        await using var database = await new TemplateDatabase(environment.Postgres, environment.Database.Name).CopyAsync("growth");

        var before = await MeasureAsync(environment, database, agents);
        await GrowAsync(database);
        var after = await MeasureAsync(environment, database, agents);
        var replica = await OnReplicaAsync(environment, database, agents);

        return
        [
            .. Compare("GET /agents?limit=50 (JWT, RLS)", before.List, after.List),
            .. Compare("POST /agents/{id}/activities (API key)", before.Post, after.Post),
            .. replica,
        ];
    }

    /// <summary>
    /// With a streaming standby of the grown data: its replay lag while P2's load writes on the primary, then a platform
    /// admin's audit export (routed to the replica once it has caught up) against COPY of the same rows on the replica.
    /// </summary>
    private async Task<IReadOnlyList<ResultRow>> OnReplicaAsync(BenchEnvironment environment, TemplateDatabase database, IReadOnlyList<Guid> agents)
    {
        await using var standby = await PostgresStandby.StartAsync(environment.Postgres);
        await using var api = await environment.StartApiAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__platformdb"] = BenchEnvironment.WithoutPoolSize(database.AppConnectionString),
            ["ConnectionStrings__platformdb-read"] = BenchEnvironment.WithoutPoolSize(
                standby.ConnectionString(database.Name, PlatformDatabase.AppRole, PlatformDatabase.AppRolePassword)),
        });
        var (_, key) = await SeededData.CreateApiKeyAsync(api.BaseAddress, 100, "bench P11 replica", "activities:write");
        var postUrl = new Uri(api.BaseAddress, $"/api/v1/agents/{agents[0]}/activities");
        var apiKey = new Dictionary<string, string> { ["X-Api-Key"] = key };
        var spread = P2ActivityPost.SpreadOverAgentsLua(agents);
        await Tools.WrkAsync(postUrl, Connections, WarmUp, apiKey, "POST", ActivityBody, spread);
        using var sampling = new CancellationTokenSource();
        var sampled = ReplicaMeasures.SampleReplayLagAsync(environment.Postgres, sampling.Token);
        var load = await Tools.WrkAsync(postUrl, Connections, Duration, apiKey, "POST", ActivityBody, spread);
        await sampling.CancelAsync();
        var (lag, lagBytes) = await sampled;
        var lagP99 = Statistics.Percentile(lag, 0.99);
        Console.WriteLine($"P11 replica: {load.Describe()}; replay lag p99 {lagP99 * 1000:0} ms, max {lag.Max() * 1000:0} ms, max {N((long)lagBytes.Max())} bytes, {lag.Count} samples");

        await standby.WaitForCatchUpAsync(TimeSpan.FromMinutes(5));
        await Task.Delay(TimeSpan.FromSeconds(10)); // the API's replica probe has seen it caught up
        var to = DateTime.UtcNow.Date.AddDays(-10);
        var from = to.AddDays(-10);
        var token = await SeededData.AccessTokenAsync(api.BaseAddress, PlatformAdminEmail);
        var exportUrl = new Uri(api.BaseAddress, $"/api/v1/audit-logs/export?from={from:yyyy-MM-dd}T00:00:00Z&to={to:yyyy-MM-dd}T00:00:00Z");
        var (exported, exportTime) = await ReplicaMeasures.TimeAsync(() => ReplicaMeasures.ExportLinesAsync(exportUrl, token));
        var (copied, copyTime) = await ReplicaMeasures.TimeAsync(() => ReplicaMeasures.CopyLinesAsync(standby.ConnectionString(database.Name), from, to));
        Check(exported == copied && exported > 0, $"the export gave {exported} rows, COPY {copied}");
        var (ours, reference) = (exported / exportTime.TotalSeconds, copied / copyTime.TotalSeconds);
        return
        [
            new(Id, $"Replica replay lag under P2's load ({load.RequestsPerSecond:0} writes/s), sampled every 100 ms: p99", Ms(lagP99 * 1000), "-", "-",
                "≤ 5 s (Data:MaxReplicaLag)", lagP99 <= 5),
            new(Id, $"Audit export of {N(exported)} rows (platform admin, 10 days) from the replica: rows/s vs COPY TO STDOUT on the replica",
                $"{F(ours, "0")} rows/s ({exportTime.TotalSeconds:0.0} s)", $"{F(reference, "0")} rows/s ({copyTime.TotalSeconds:0.0} s)",
                ResultsTable.Ratio(ours, reference), "≥ 0.50×", ours >= 0.5 * reference),
        ];
    }

    private IEnumerable<ResultRow> Compare(string load, LoadResult before, LoadResult after)
    {
        var title = $"{load}, {Connections} conn: at 100,000 tenants vs at the seed's 100";
        yield return new(Id, $"{title}: req/s", F(after.RequestsPerSecond, "0"), F(before.RequestsPerSecond, "0"),
            ResultsTable.Ratio(after.RequestsPerSecond, before.RequestsPerSecond), "≥ 0.80×",
            after.RequestsPerSecond >= 0.8 * before.RequestsPerSecond && after.Errors + before.Errors == 0);
        yield return new(Id, $"{title}: p99", Ms(after.P99Ms), Ms(before.P99Ms), ResultsTable.Ratio(after.P99Ms, before.P99Ms), "≤ 1.5×",
            after.P99Ms <= 1.5 * before.P99Ms);
    }

    private static async Task<(LoadResult List, LoadResult Post)> MeasureAsync(BenchEnvironment environment, TemplateDatabase database, IReadOnlyList<Guid> agents)
    {
        await using var api = await environment.StartApiAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__platformdb"] = BenchEnvironment.WithoutPoolSize(database.AppConnectionString),
        });
        var token = await SeededData.AccessTokenAsync(api.BaseAddress, SeededData.UserEmail(1, 1));
        var listUrl = new Uri(api.BaseAddress, "/api/v1/agents?limit=50");
        var bearer = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" };
        await Tools.WrkAsync(listUrl, Connections, WarmUp, bearer);
        var list = await Tools.WrkAsync(listUrl, Connections, Duration, bearer);

        var (_, key) = await SeededData.CreateApiKeyAsync(api.BaseAddress, 100, "bench P11", "activities:write");
        var postUrl = new Uri(api.BaseAddress, $"/api/v1/agents/{agents[0]}/activities");
        var apiKey = new Dictionary<string, string> { ["X-Api-Key"] = key };
        var spread = P2ActivityPost.SpreadOverAgentsLua(agents);
        await Tools.WrkAsync(postUrl, Connections, WarmUp, apiKey, "POST", ActivityBody, spread);
        var post = await Tools.WrkAsync(postUrl, Connections, Duration, apiKey, "POST", ActivityBody, spread);
        Console.WriteLine($"P11 list {list.Describe()}; post {post.Describe()}");
        return (list, post);
    }

    private static async Task GrowAsync(TemplateDatabase database)
    {
        var watch = Stopwatch.StartNew();
        foreach (var (label, sql) in GrowthSteps)
        {
            var rows = await Sql.ExecuteAsync(database.OwnerConnectionString, sql);
            Console.WriteLine($"P11 grow: {label}: {N(rows)} rows after {watch.Elapsed.TotalSeconds:0} s");
        }

        await Sql.ExecuteAsync(database.OwnerConnectionString, "VACUUM ANALYZE");
        await Sql.ExecuteAsync(database.OwnerConnectionString, "CHECKPOINT");
        Console.WriteLine($"P11 grow: analysed after {watch.Elapsed.TotalSeconds:0} s");
    }

    // The seed's shape per tenant (10 users, agents with 2 channels, audit rows over 200 days), 10 agents per new tenant.
    private static readonly (string Label, string Sql)[] GrowthSteps =
    [
        ("tenants", $$"""
            INSERT INTO tenants (id, company_name, admin_email, status, plan, model_defaults, resource_limits, created_at, updated_at)
            SELECT uuid_v7(), 'Growth ' || lpad(i::text, 6, '0'), 'growth-admin-' || i || '@bench.test', 'active', (ARRAY['starter','growth','enterprise'])[1 + i % 3]::tenant_plan,
                   '{"model_tier":"sonnet","thinking_mode":"off"}', '{}', now(), now()
            FROM generate_series(1, {{GrowthTenants}}) AS i
            """),
        ("users", """
            INSERT INTO users (id, email, name, password_hash, role, tenant_id, mfa_enabled, recovery_code_hashes, failed_login_count, created_at, updated_at)
            SELECT uuid_v7(), 'growth-user-' || t.id || '-' || u || '@bench.test', 'User ' || u, (SELECT password_hash FROM users WHERE email = 'bench-user-1-1@bench.test'),
                   CASE WHEN u = 1 THEN 'tenant_admin'::user_role ELSE 'tenant_member'::user_role END, t.id, false, '{}', 0, now(), now()
            FROM tenants t, generate_series(1, 10) AS u WHERE t.company_name LIKE 'Growth %'
            """),
        ("platform admin", $$"""
            INSERT INTO users (id, email, name, password_hash, role, tenant_id, mfa_enabled, recovery_code_hashes, failed_login_count, created_at, updated_at)
            SELECT uuid_v7(), '{{PlatformAdminEmail}}', 'Growth admin', password_hash, 'platform_admin', NULL, false, '{}', 0, now(), now()
            FROM users WHERE email = 'bench-user-1-1@bench.test'
            """),
        ("team members", """
            INSERT INTO team_members (id, tenant_id, user_id, role, joined_at)
            SELECT uuid_v7(), tenant_id, id, role, now() FROM users WHERE email LIKE 'growth-user-%'
            """),
        ("agents", """
            INSERT INTO agents (id, tenant_id, name, description, role, status, model_tier, thinking_mode, tool_policy, provision_attempts, created_at, updated_at, last_active_at)
            SELECT uuid_v7(), t.id, 'agent-' || a, 'Growth agent ' || a, (ARRAY['pm','engineering','operations','custom'])[1 + a % 4]::agent_role,
                   'active', 'sonnet', 'off', '{"allowed":["tool.a"],"denied":[],"approval_rules":[]}', 0, now(), now(), now() - (a || ' minutes')::interval
            FROM tenants t, generate_series(1, 10) AS a WHERE t.company_name LIKE 'Growth %'
            """),
        ("channels", """
            INSERT INTO agent_channels (id, tenant_id, agent_id, type, name, config, enabled, created_at, updated_at)
            SELECT uuid_v7(), a.tenant_id, a.id, c.type::channel_type, c.name, '{"channel":"#bench"}', true, now(), now()
            FROM agents a, (VALUES ('slack', '#general'), ('email', 'ops@bench.test')) AS c(type, name)
            WHERE a.description LIKE 'Growth agent %'
            """),
        // In slices, so that no statement runs into the command timeout on a busy machine.
        .. Enumerable.Range(0, 9).Select(slice => ($"audit rows, slice {slice + 1} of 9", $$"""
            INSERT INTO audit_logs (id, tenant_id, actor_type, actor_id, action, target_type, target_id, severity, details, created_at)
            SELECT uuid_v7(), t.ids[1 + i % array_length(t.ids, 1)], 'user', gen_random_uuid(), 'agent.updated', 'agent', gen_random_uuid(), 'info',
                   jsonb_build_object('changed', jsonb_build_object('name', 'n' || i)), now() - ((i % 200) || ' days')::interval - ((i % 86400) || ' seconds')::interval
            FROM (SELECT array_agg(id) AS ids FROM tenants WHERE company_name LIKE 'Growth %') t, generate_series({{(slice * 1_000_000) + 1}}, {{(slice + 1) * 1_000_000}}) AS i
            """)),
    ];
}
