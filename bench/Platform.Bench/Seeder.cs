using Platform.Data.Security;

namespace Platform.Bench;

/// <summary>What the seed made, for scenarios to address it.</summary>
public sealed record BenchData(IReadOnlyList<Guid> TenantIds, string UserEmailOfFirstTenant)
{
    public const string SigningKey = "bench-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";
    public const string Password = "bench-password-123";
}

/// <summary>
/// Tenants named "{Prefix} 001" …, each with 10 users (the first its admin) and team members, agents with 2 channels
/// each, audit rows spread over the tenants and the last 200 days, and expired refresh tokens of the users.
/// <paramref name="UserKey"/> is what a user's email numbers the tenant by: its rank by name (n) or its id.
/// </summary>
public sealed record SeedShape(string Prefix, int Tenants, int AgentsPerTenant, int AuditMillions, int ExpiredTokens = 0, int Digits = 3, string UserKey = "n")
{
    public string Plan { get; init; } = "'enterprise'";
    public string ResourceLimits { get; init; } = """{"requests_per_minute":100000000}""";
    public string Tools { get; init; } = "\"tool.a\",\"tool.b\"";
    public string Slug => Prefix.ToLowerInvariant().Replace(' ', '-');
}

/// <summary>Data generated inside PostgreSQL (set-based, as the owner): the bench's seed, and P11's growth of a copy of it.</summary>
public static class Seeder
{
    /// <summary>100 enterprise tenants, 10,000 agents, 1,000,000 audit rows and 1,000,000 expired refresh tokens.</summary>
    public static readonly SeedShape Bench = new("Bench", 100, 100, 1, ExpiredTokens: 1_000_000);

    public static async Task<BenchData> SeedAsync(PlatformDatabase database)
    {
        await SeedAsync(database.OwnerConnectionString, Bench, Passwords.Hash(BenchData.Password), "seed");
        var tenants = await Sql.ScalarAsync<Guid[]>(database.OwnerConnectionString,
            "SELECT array_agg(id ORDER BY company_name) FROM tenants WHERE company_name LIKE 'Bench %'");
        return new BenchData(tenants, "bench-user-1-1@bench.test");
    }

    /// <summary>Runs <see cref="Steps"/> one by one (printing each one's rows), then VACUUM ANALYZE and a checkpoint.</summary>
    public static async Task SeedAsync(string connectionString, SeedShape shape, string passwordHash, string log)
    {
        var watch = Stopwatch.StartNew();
        var hash = new Dictionary<string, object> { ["hash"] = passwordHash };
        foreach (var (label, sql) in Steps(shape))
        {
            Console.WriteLine($"{log}: {label}: {N(await Sql.ExecuteAsync(connectionString, sql, hash))} rows after {watch.Elapsed.TotalSeconds:0.0} s");
        }

        await Sql.ExecuteAsync(connectionString, "VACUUM ANALYZE");
        await Sql.ExecuteAsync(connectionString, "CHECKPOINT");
    }

    /// <summary>Active tenants named "{prefix} 001" …, with limits no load reaches.</summary>
    public static string TenantsSql(string prefix, int count) => TenantsSql(new SeedShape(prefix, count, 0, 0));

    private static string TenantsSql(SeedShape s) => $$"""
        INSERT INTO tenants (id, company_name, admin_email, status, plan, model_defaults, resource_limits, created_at, updated_at)
        SELECT uuid_v7(), '{{s.Prefix}} ' || lpad(i::text, {{s.Digits}}, '0'), lower(replace('{{s.Prefix}}', ' ', '-')) || '-admin-' || i || '@bench.test', 'active',
               {{s.Plan}}, '{"model_tier":"sonnet","thinking_mode":"off"}', '{{s.ResourceLimits}}', now(), now()
        FROM generate_series(1, {{s.Tenants}}) AS i
        """;

    // Audit rows go in slices of a million, so that no statement runs into the command timeout on a busy machine.
    private static IEnumerable<(string Label, string Sql)> Steps(SeedShape s) =>
    [
        ("tenants", TenantsSql(s)),
        ("users", $$"""
            INSERT INTO users (id, email, name, password_hash, role, tenant_id, mfa_enabled, recovery_code_hashes, failed_login_count, created_at, updated_at)
            SELECT uuid_v7(), '{{s.Slug}}-user-' || t.{{s.UserKey}} || '-' || u || '@bench.test', 'User ' || u, @hash,
                   CASE WHEN u = 1 THEN 'tenant_admin'::user_role ELSE 'tenant_member'::user_role END, t.id, false, '{}', 0, now(), now()
            FROM (SELECT id, row_number() OVER (ORDER BY company_name) AS n FROM tenants WHERE company_name LIKE '{{s.Prefix}} %') t, generate_series(1, 10) AS u
            """),
        ("team members", $"""
            INSERT INTO team_members (id, tenant_id, user_id, role, joined_at)
            SELECT uuid_v7(), tenant_id, id, role, now() FROM users WHERE email LIKE '{s.Slug}-user-%'
            """),
        ("agents", $$"""
            INSERT INTO agents (id, tenant_id, name, description, role, status, model_tier, thinking_mode, tool_policy, provision_attempts, created_at, updated_at, last_active_at)
            SELECT uuid_v7(), t.id, 'agent-' || a, '{{s.Prefix}} agent ' || a, (ARRAY['pm','engineering','operations','custom'])[1 + a % 4]::agent_role,
                   'active', 'sonnet', 'off', '{"allowed":[{{s.Tools}}],"denied":[],"approval_rules":[]}', 0, now(), now(), now() - (a || ' minutes')::interval
            FROM tenants t, generate_series(1, {{s.AgentsPerTenant}}) AS a WHERE t.company_name LIKE '{{s.Prefix}} %'
            """),
        ("channels", $$"""
            INSERT INTO agent_channels (id, tenant_id, agent_id, type, name, config, enabled, created_at, updated_at)
            SELECT uuid_v7(), a.tenant_id, a.id, c.type::channel_type, c.name, '{"channel":"#bench"}', true, now(), now()
            FROM agents a, (VALUES ('slack', '#general'), ('email', 'ops@bench.test')) AS c(type, name)
            WHERE a.description LIKE '{{s.Prefix}} agent %'
            """),
        .. Enumerable.Range(0, s.AuditMillions).Select(slice => ($"audit rows, slice {slice + 1} of {s.AuditMillions}", $"""
            INSERT INTO audit_logs (id, tenant_id, actor_type, actor_id, action, target_type, target_id, severity, details, created_at)
            SELECT uuid_v7(), t.ids[1 + i % array_length(t.ids, 1)], 'user', gen_random_uuid(), 'agent.updated', 'agent', gen_random_uuid(), 'info',
                   jsonb_build_object('changed', jsonb_build_object('name', 'n' || i)), now() - ((i % 200) || ' days')::interval - ((i % 86400) || ' seconds')::interval
            FROM (SELECT array_agg(id) AS ids FROM tenants WHERE company_name LIKE '{s.Prefix} %') t, generate_series({(slice * 1_000_000) + 1}, {(slice + 1) * 1_000_000}) AS i
            """)),
        .. s.ExpiredTokens == 0 ? [] : new[] { ("expired refresh tokens", $"""
            INSERT INTO refresh_tokens (id, user_id, token_hash, family_id, expires_at, created_at)
            SELECT uuid_v7(), u.ids[1 + i % {s.Tenants * 10}], md5(i::text || random()::text) || md5(i::text), gen_random_uuid(),
                   now() - interval '3 days' - (i % 1000 || ' minutes')::interval, now() - interval '40 days'
            FROM (SELECT array_agg(id) AS ids FROM users WHERE email LIKE '{s.Slug}-user-%') u, generate_series(1, {s.ExpiredTokens}) AS i
            """) },
    ];
}
