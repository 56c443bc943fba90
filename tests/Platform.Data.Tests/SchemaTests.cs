using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data.Tenancy;
using Platform.Migrator;
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

    /// <summary>The tables that belong to no tenant, and why. Every other table must be tenant-scoped.</summary>
    private static readonly Dictionary<string, string> GlobalTables = new()
    {
        ["__EFMigrationsHistory"] = "the Migrator's ledger; the application role has no grant on it",
        ["skills"] = "the marketplace catalogue every tenant shares",
        ["data_protection_keys"] = "ASP.NET Core's one key ring for the whole platform",
        ["security_changes"] = "the revocation feed every API replica polls whatever tenant it serves",
        ["refresh_tokens"] = "reached only through its user, before any tenant is known; it goes with the user (CASCADE)",
    };

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
    public async Task Every_table_is_global_by_decision_or_tenant_scoped_with_an_indexed_cascading_tenant_id_and_forced_row_level_security()
    {
        // Every table in the database outside PostgreSQL's catalogs and Hangfire's own schema (its job queue is the
        // platform's, holds no tenant data, and is read by the application role as a whole).
        var rows = await QueryAsync<(string, bool, bool, bool, long, bool, bool)>(
            $"""
            SELECT CASE WHEN n.nspname = 'public' THEN c.relname::text ELSE n.nspname || '.' || c.relname END,
                   EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped),
                   c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT count(*) FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname
                        AND p.qual LIKE '%' || CASE WHEN c.relname = 'tenants' THEN 'id' ELSE 'tenant_id' END || ' = %'
                        AND p.with_check = p.qual),
                   EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                           WHERE i.indrelid = c.oid AND a.attname = 'tenant_id'),
                   EXISTS (SELECT 1 FROM pg_constraint f JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = f.conkey[1]
                           WHERE f.conrelid = c.oid AND f.contype = 'f' AND array_length(f.conkey, 1) = 1 AND a.attname = 'tenant_id'
                             AND f.confrelid = 'tenants'::regclass AND f.confdeltype = 'c')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', '{PlatformMigrator.HangfireSchema}')
              AND n.nspname NOT LIKE 'pg\_%'
            ORDER BY 1
            """);
        Assert.Equal(Tables.Length + 1, rows.Count);

        var tenantScoped = rows.Where(r => !GlobalTables.ContainsKey(r.Item1)).ToList();
        foreach (var (table, hasTenantId, enabled, forced, policies, indexed, cascades) in tenantScoped)
        {
            Assert.True(hasTenantId || table == "tenants", $"{table}: neither a decided global table nor has it a tenant_id");
            Assert.True(table == "tenants" || indexed, $"{table}: tenant_id leads no index");
            Assert.True(table == "tenants" || cascades, $"{table}: tenant_id is not a foreign key to tenants ON DELETE CASCADE");
            Assert.True(enabled, $"{table}: RLS not enabled");
            Assert.True(forced, $"{table}: RLS not forced");
            Assert.True(policies == 1, $"{table}: {policies} policies compare its tenant column (one expected)");
        }

        Assert.Equal(19, tenantScoped.Count);

        // A global table is one by decision: it exists, holds no tenant_id, and no policy pretends to scope it.
        foreach (var (table, reason) in GlobalTables)
        {
            var (_, hasTenantId, enabled, _, _, _, _) = Assert.Single(rows, r => r.Item1 == table);
            Assert.False(hasTenantId, $"{table} has a tenant_id: it is tenant-scoped, not global ({reason})");
            Assert.False(enabled, $"{table}: RLS on a global table");
        }
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
