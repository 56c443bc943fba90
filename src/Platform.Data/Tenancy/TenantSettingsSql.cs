using System.Data.Common;
using Npgsql;

namespace Platform.Data.Tenancy;

/// <summary>The SQL that carries a <see cref="TenantContext"/> into the current transaction.</summary>
internal static class TenantSettingsSql
{
    public const string TenantParameter = "app_tenant_id__";
    public const string AdminParameter = "app_is_platform_admin__";

    /// <summary>
    /// Sets both settings transaction-locally and returns no rows. The concatenation forces
    /// PostgreSQL to evaluate both calls; the result set is empty, so a batch's row counts are unchanged.
    /// </summary>
    public const string Statement =
        "SELECT 1 WHERE (set_config('app.tenant_id', @" + TenantParameter + ", true) || " +
        "set_config('app.is_platform_admin', @" + AdminParameter + ", true)) IS NULL;\n";

    public static void AddParameters(DbCommand command, TenantContext tenant)
    {
        command.Parameters.Add(new NpgsqlParameter<string>(TenantParameter, tenant.TenantId?.ToString() ?? string.Empty));
        command.Parameters.Add(new NpgsqlParameter<string>(AdminParameter, tenant.IsPlatformAdmin ? "on" : "off"));
    }

    /// <summary>Prefixes the command so the settings travel in the same round trip as its first statement.</summary>
    public static void Prepend(DbCommand command, TenantContext tenant)
    {
        command.CommandText = Statement + command.CommandText;
        AddParameters(command, tenant);
    }

    public static DbCommand CreateStandalone(DbConnection connection, DbTransaction? transaction, TenantContext tenant)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Statement;
        AddParameters(command, tenant);
        return command;
    }
}
