using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data.Tenancy;
using Platform.Migrator.Schema;
using Platform.Tests.Support;

namespace Platform.Data.Tests;

/// <summary>The migrated schema against the data-model spec.</summary>
public sealed class SchemaTests(SharedPostgres postgres)
{
    private static readonly string[] SpecTables =
    [
        "agent_activities", "agent_channels", "agent_metrics", "agents", "alerts", "api_keys", "audit_logs",
        "container_health", "refresh_tokens", "skill_installations", "skills", "team_invites", "team_members",
        "tenants", "users",
    ];

    // Beyond the spec's minimum: the per-user ratings that "one rating per tenant user" needs, the security changes
    // every API replica polls, ASP.NET Core's Data Protection key ring, the single-use stream and dashboard tickets, and the
    // tenant webhooks with their outbox of events, deliveries and attempts.
    private static readonly string[] ExtraTables =
    [
        "access_tickets", "data_protection_keys", "security_changes", "skill_ratings",
        "webhook_attempts", "webhook_deliveries", "webhook_events", "webhooks",
    ];

    private static readonly string[] Tables = [.. SpecTables.Concat(ExtraTables).Order(StringComparer.Ordinal)];

    private static readonly Dictionary<string, string[]> SpecEnums = new()
    {
        ["user_role"] = ["platform_admin", "tenant_admin", "tenant_member"],
        ["tenant_status"] = ["active", "suspended", "provisioning", "failed"],
        ["tenant_plan"] = ["starter", "growth", "enterprise"],
        ["agent_role"] = ["pm", "engineering", "operations", "custom"],
        ["agent_status"] = ["active", "idle", "error", "paused", "provisioning"],
        ["model_tier"] = ["haiku", "sonnet", "opus"],
        ["thinking_mode"] = ["off", "low", "high"],
        ["skill_category"] = ["productivity", "analytics", "engineering", "communication"],
        ["skill_status"] = ["draft", "published", "deprecated", "removed"],
        ["channel_type"] = ["slack", "teams", "email"],
        ["activity_type"] = ["message", "task", "tool_call"],
        ["audit_actor_type"] = ["user", "api_key", "system"],
        ["audit_target_type"] = ["tenant", "user", "agent", "skill", "api_key", "team"],
        ["audit_severity"] = ["info", "warning", "critical"],
        ["alert_severity"] = ["info", "warning", "critical"],
        ["health_status"] = ["healthy", "degraded", "unhealthy"],
        ["invite_status"] = ["pending", "accepted", "expired", "revoked"],
    };

    private static readonly string[] JsonbColumns =
    [
        "agent_activities.details", "agent_channels.config", "agents.assisted_user", "agents.tool_policy",
        "audit_logs.details", "skill_installations.config", "skills.capabilities", "skills.permissions",
        "tenants.model_defaults", "tenants.resource_limits",

        // Beyond the spec's ten: the outbox's event payload.
        "webhook_events.data",
    ];

    private const string TablesFilter = "table_schema = 'public' AND table_name <> '__EFMigrationsHistory'";

    [Fact]
    public async Task Has_the_fifteen_spec_tables_and_only_the_documented_extra_ones()
    {
        var tables = await QueryAsync<string>($"SELECT table_name FROM information_schema.tables WHERE {TablesFilter} ORDER BY 1");
        Assert.Equal(15, SpecTables.Intersect(tables).Count());
        Assert.Equal(Tables, tables.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Has_the_seventeen_enum_types_with_exactly_the_spec_values()
    {
        var rows = await QueryAsync<(string, string[])>(
            """
            SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
            FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname = 'public' GROUP BY t.typname
            """);
        Assert.Equal(SpecEnums.Keys.Order(), rows.Select(r => r.Item1).Order());
        foreach (var (name, labels) in rows)
        {
            Assert.Equal(SpecEnums[name], labels);
        }
    }

    [Fact]
    public async Task Has_at_least_54_indexes_on_the_model_tables()
    {
        var count = await ScalarAsync<long>(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(@spec)", ("spec", SpecTables));
        Assert.True(count >= 54, $"only {count} indexes");
    }

    [Fact]
    public async Task Has_exactly_the_spec_jsonb_columns_and_the_webhook_payload()
    {
        var columns = await QueryAsync<string>(
            $"SELECT table_name || '.' || column_name FROM information_schema.columns WHERE {TablesFilter} AND data_type = 'jsonb' ORDER BY 1");
        Assert.Equal(JsonbColumns, columns);
    }

    [Theory]
    [InlineData("agents", "tool_policy")]
    [InlineData("skills", "capabilities")]
    [InlineData("skills", "permissions")]
    [InlineData("audit_logs", "details")]
    public async Task Searched_jsonb_columns_have_a_gin_index(string table, string column)
    {
        var count = await ScalarAsync<long>(
            """
            SELECT count(*) FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = @table::regclass AND am.amname = 'gin' AND a.attname = @column
            """, ("table", table), ("column", column));
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task Every_foreign_key_is_indexed()
    {
        var unindexed = await QueryAsync<string>(
            """
            SELECT c.conrelid::regclass::text || '(' || c.conname || ')'
            FROM pg_constraint c
            WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
              AND NOT EXISTS (
                SELECT 1 FROM pg_index i
                WHERE i.indrelid = c.conrelid
                  AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] @> c.conkey
                  AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] <@ c.conkey)
            """);
        Assert.Empty(unindexed);
    }

    [Fact]
    public async Task Every_tenant_scoped_table_has_row_level_security_enabled_and_forced_with_a_policy()
    {
        var scoped = await QueryAsync<string>(
            $"SELECT table_name FROM information_schema.columns WHERE {TablesFilter} AND column_name = 'tenant_id' ORDER BY 1");
        scoped = [.. scoped, "tenants"];
        Assert.Equal(19, scoped.Count);

        var rows = await QueryAsync<(string, bool, bool, long)>(
            """
            SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT count(*) FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname)
            FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(@tables)
            """);
        foreach (var table in scoped)
        {
            var (_, enabled, forced, policies) = Assert.Single(rows, r => r.Item1 == table);
            Assert.True(enabled, $"{table}: RLS not enabled");
            Assert.True(forced, $"{table}: RLS not forced");
            Assert.Equal(1, policies);
        }

        Assert.All(rows.Where(r => r.Item1 == "skills" || r.Item1 == "refresh_tokens"), r => Assert.False(r.Item2));
    }

    [Fact]
    public async Task The_application_role_logs_in_owns_nothing_and_cannot_bypass_security()
    {
        var (login, super, bypass) = (await QueryAsync<(bool, bool, bool)>(
            "SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = @role",
            ("role", PlatformDatabase.AppRole))).Single();
        Assert.True(login);
        Assert.False(super);
        Assert.False(bypass);

        var owned = await ScalarAsync<long>(
            "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = @role)",
            ("role", PlatformDatabase.AppRole));
        Assert.Equal(0, owned);
    }

    [Fact]
    public async Task Primary_keys_are_uuids_except_the_frameworks_key_ring()
    {
        var nonUuid = await QueryAsync<string>(
            $"SELECT table_name FROM information_schema.columns WHERE {TablesFilter} AND column_name = 'id' AND data_type <> 'uuid'");
        Assert.Equal(["data_protection_keys"], nonUuid);
    }

    [Fact]
    public async Task The_migrated_database_matches_the_model()
    {
        await using var db = PlatformDatabaseContexts.Create(postgres.Database.OwnerConnectionString, TenantContext.ForPlatform());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes no migration describes: add them to the initial migration");
    }

    [Fact]
    public async Task Every_function_and_trigger_the_code_relies_on_exists()
    {
        string[] functions = [.. HandWrittenSchema.FunctionNames, "app_current_tenant_id", "app_is_platform_admin"];
        var present = await QueryAsync<string>(
            "SELECT proname::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proname = ANY(@names)", ("names", functions));
        Assert.Equal(functions.Order(StringComparer.Ordinal), present.Distinct().Order(StringComparer.Ordinal));

        var triggers = await QueryAsync<string>(
            "SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(@names)", ("names", HandWrittenSchema.TriggerNames));
        Assert.Equal(HandWrittenSchema.TriggerNames.Order(StringComparer.Ordinal), triggers.Order(StringComparer.Ordinal));
    }

    private async Task<List<T>> QueryAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(postgres.Database.OwnerConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("tables", Tables);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var results = new List<T>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            results.Add(reader.FieldCount == 1 ? reader.GetFieldValue<T>(0) : ReadTuple<T>(reader));
        }

        return results;
    }

    private static T ReadTuple<T>(NpgsqlDataReader reader)
    {
        var values = new object[reader.FieldCount];
        reader.GetValues(values);
        return (T)Activator.CreateInstance(typeof(T), values)!;
    }

    private async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters) =>
        (await QueryAsync<T>(sql, parameters)).Single();
}
