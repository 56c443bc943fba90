using Platform.Data.Security;

namespace Platform.Bench;

/// <summary>What the seed made, for scenarios to address it.</summary>
public sealed record BenchData(IReadOnlyList<Guid> TenantIds, string UserEmailOfFirstTenant)
{
    public const string SigningKey = "bench-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";
    public const string Password = "bench-password-123";
}

/// <summary>
/// The realistic data set, generated inside PostgreSQL (set-based, as the owner): 100 enterprise tenants
/// with 10 users each, 10,000 agents with 2 channels each, 1,000,000 audit rows over the last 200
/// days and 1,000,000 expired refresh tokens.
/// </summary>
public static class Seeder
{
    public static async Task<BenchData> SeedAsync(PlatformDatabase database)
    {
        var watch = Stopwatch.StartNew();
        var hash = new Dictionary<string, object> { ["hash"] = Passwords.Hash(BenchData.Password) };
        foreach (var (label, sql) in Steps)
        {
            Console.WriteLine($"seed: {label}: {await Sql.ExecuteAsync(database.OwnerConnectionString, sql, hash)} rows after {watch.Elapsed.TotalSeconds:0.0} s");
        }

        await Sql.ExecuteAsync(database.OwnerConnectionString, "VACUUM ANALYZE");
        var tenants = await Sql.ScalarAsync<Guid[]>(database.OwnerConnectionString,
            "SELECT array_agg(id ORDER BY company_name) FROM tenants WHERE company_name LIKE 'Bench %'");
        return new BenchData(tenants, "bench-user-1-1@bench.test");
    }

    /// <summary>Active enterprise tenants named "{prefix} 001" …, with limits no load reaches.</summary>
    public static string TenantsSql(string prefix, int count) => $$"""
        INSERT INTO tenants (id, company_name, admin_email, status, plan, model_defaults, resource_limits, created_at, updated_at)
        SELECT uuid_v7(), '{{prefix}} ' || lpad(i::text, 3, '0'), lower(replace('{{prefix}}', ' ', '-')) || '-admin-' || i || '@bench.test', 'active', 'enterprise',
               '{"model_tier":"sonnet","thinking_mode":"off"}', '{"requests_per_minute":100000000}', now(), now()
        FROM generate_series(1, {{count}}) AS i
        """;

    private static readonly (string Label, string Sql)[] Steps =
    [
        ("tenants", TenantsSql("Bench", 100)),
        ("users", """
            INSERT INTO users (id, email, name, password_hash, role, tenant_id, mfa_enabled, recovery_code_hashes, failed_login_count, created_at, updated_at)
            SELECT uuid_v7(), 'bench-user-' || t.n || '-' || u || '@bench.test', 'User ' || u, @hash,
                   CASE WHEN u = 1 THEN 'tenant_admin'::user_role ELSE 'tenant_member'::user_role END, t.id, false, '{}', 0, now(), now()
            FROM (SELECT id, row_number() OVER (ORDER BY company_name) AS n FROM tenants WHERE company_name LIKE 'Bench %') t, generate_series(1, 10) AS u
            """),
        ("team members", """
            INSERT INTO team_members (id, tenant_id, user_id, role, joined_at)
            SELECT uuid_v7(), tenant_id, id, role, now() FROM users WHERE email LIKE 'bench-user-%'
            """),
        ("agents", """
            INSERT INTO agents (id, tenant_id, name, description, role, status, model_tier, thinking_mode, tool_policy, provision_attempts, created_at, updated_at, last_active_at)
            SELECT uuid_v7(), t.id, 'agent-' || a, 'Bench agent ' || a, (ARRAY['pm','engineering','operations','custom'])[1 + a % 4]::agent_role,
                   'active', 'sonnet', 'off', '{"allowed":["tool.a","tool.b"],"denied":[],"approval_rules":[]}', 0, now(), now(), now() - (a || ' minutes')::interval
            FROM tenants t, generate_series(1, 100) AS a WHERE t.company_name LIKE 'Bench %'
            """),
        ("channels", """
            INSERT INTO agent_channels (id, tenant_id, agent_id, type, name, config, enabled, created_at, updated_at)
            SELECT uuid_v7(), a.tenant_id, a.id, c.type::channel_type, c.name, '{"channel":"#bench"}', true, now(), now()
            FROM agents a, (VALUES ('slack', '#general'), ('email', 'ops@bench.test')) AS c(type, name)
            WHERE a.description LIKE 'Bench agent %'
            """),
        ("audit rows", """
            INSERT INTO audit_logs (id, tenant_id, actor_type, actor_id, action, target_type, target_id, severity, details, created_at)
            SELECT uuid_v7(), t.ids[1 + i % 100], 'user', gen_random_uuid(), 'agent.updated', 'agent', gen_random_uuid(), 'info',
                   jsonb_build_object('changed', jsonb_build_object('name', 'n' || i)), now() - ((i % 200) || ' days')::interval - ((i % 86400) || ' seconds')::interval
            FROM (SELECT array_agg(id) AS ids FROM tenants WHERE company_name LIKE 'Bench %') t, generate_series(1, 1000000) AS i
            """),
        ("expired refresh tokens", """
            INSERT INTO refresh_tokens (id, user_id, token_hash, family_id, expires_at, created_at)
            SELECT uuid_v7(), u.ids[1 + i % 1000], md5(i::text || random()::text) || md5(i::text), gen_random_uuid(),
                   now() - interval '3 days' - (i % 1000 || ' minutes')::interval, now() - interval '40 days'
            FROM (SELECT array_agg(id) AS ids FROM users WHERE email LIKE 'bench-user-%') u, generate_series(1, 1000000) AS i
            """),
    ];
}
