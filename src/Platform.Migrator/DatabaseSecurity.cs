using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Platform.Data.Entities;

namespace Platform.Migrator;

/// <summary>
/// The application role and row-level security. The role logs in, owns nothing and gets only DML
/// on the tables (no DELETE on skills); every tenant-scoped table has RLS enabled and forced with one policy that admits
/// a row when its tenant is the transaction's <c>app.tenant_id</c> or <c>app.is_platform_admin</c> is on.
/// </summary>
internal static class DatabaseSecurity
{
    public const string PolicyName = "tenant_isolation";

    public static async Task ApplyAsync(
        NpgsqlDataSource dataSource, IModel model, MigratorOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var tables = TenantScopedTables(model);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        logger.LogInformation("Ensuring application role {Role}", options.AppRoleName);
        await ExecuteAsync(connection, transaction, RoleSql(options.AppRoleName), cancellationToken,
            new NpgsqlParameter<string>("password", options.AppRolePassword));

        await ExecuteAsync(connection, transaction, GrantsSql(options.AppRoleName, connection.Database), cancellationToken);

        logger.LogInformation("Applying row-level security to {Count} tenant-scoped tables", tables.Count);
        await ExecuteAsync(connection, transaction, RowLevelSecuritySql(tables), cancellationToken);

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Every table whose rows belong to a tenant: the tenants table itself and each table with a tenant_id.</summary>
    public static List<(string Table, string TenantColumn)> TenantScopedTables(IModel model)
    {
        var tables = new List<(string, string)>();
        foreach (var entity in model.GetEntityTypes().Where(e => e.GetTableName() is not null).OrderBy(e => e.GetTableName()))
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            if (entity.ClrType == typeof(Tenant))
            {
                tables.Add((entity.GetTableName()!, entity.FindProperty(nameof(Tenant.Id))!.GetColumnName(table)!));
            }
            else if (entity.FindProperty("TenantId") is { } tenantId)
            {
                tables.Add((entity.GetTableName()!, tenantId.GetColumnName(table)!));
            }
        }

        return tables;
    }

    // The password goes through a transaction-local setting: utility statements take no parameters,
    // and format(%L) quotes it safely.
    private static string RoleSql(string role) => $"""
        SELECT set_config('platform.app_role_password', @password, true);
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} LOGIN;
            END IF;
            EXECUTE format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION PASSWORD %L',
                '{role}', current_setting('platform.app_role_password'));
        END $$;
        """;

    private static string GrantsSql(string role, string database) => $"""
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
        GRANT CONNECT ON DATABASE {DatabaseBootstrap.QuoteIdentifier(database)} TO {role};
        GRANT USAGE ON SCHEMA public TO {role};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
        REVOKE ALL ON TABLE "__EFMigrationsHistory" FROM {role};
        -- The product removes a skill by its status, never deletes one; and the cascade of a delete runs as the table
        -- owner, past RLS, so a tenant-scoped connection that could delete a skill would take every tenant's installations.
        REVOKE DELETE ON TABLE skills FROM {role};
        GRANT USAGE ON SCHEMA {PlatformMigrator.HangfireSchema} TO {role};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {PlatformMigrator.HangfireSchema} TO {role};
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {PlatformMigrator.HangfireSchema} TO {role};
        CREATE OR REPLACE FUNCTION app_current_tenant_id() RETURNS uuid
            LANGUAGE sql STABLE PARALLEL SAFE
            AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;
        CREATE OR REPLACE FUNCTION app_is_platform_admin() RETURNS boolean
            LANGUAGE sql STABLE PARALLEL SAFE
            AS $$ SELECT coalesce(current_setting('app.is_platform_admin', true), '') = 'on' $$;
        GRANT EXECUTE ON FUNCTION app_current_tenant_id(), app_is_platform_admin() TO {role};
        """;

    private static string RowLevelSecuritySql(IEnumerable<(string Table, string TenantColumn)> tables)
    {
        var sql = new StringBuilder();
        foreach (var (table, column) in tables)
        {
            // Scalar subqueries make the settings one-time InitPlans instead of a current_setting() call per row:
            // large scans get markedly cheaper (bench P5/P7), and the tenant test is still an index-usable equality.
            var predicate = $"((SELECT app_is_platform_admin()) OR {column} = (SELECT app_current_tenant_id()))";
            sql.AppendLine($"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;");
            sql.AppendLine($"ALTER TABLE {table} FORCE ROW LEVEL SECURITY;");
            sql.AppendLine($"DROP POLICY IF EXISTS {PolicyName} ON {table};");
            sql.AppendLine($"CREATE POLICY {PolicyName} ON {table} USING {predicate} WITH CHECK {predicate};");
        }

        return sql.ToString();
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
