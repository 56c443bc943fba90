using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Platform.Data.Tenancy;

/// <summary>
/// Runs a query built by EF (<see cref="RelationalQueryableExtensions.CreateDbCommand"/>) as a plain
/// <see cref="NpgsqlDataReader"/> on the context's own connection, for the hot loops that write rows straight from the
/// reader. The command gets the context's tenant settings exactly as <see cref="TenantContextInterceptor"/> gives EF's
/// own commands (prepended, in the same round trip), so row-level security applies; the query's tenant filter comes
/// from the model, as for any EF query.
/// </summary>
public static class TenantScopedReader
{
    public static async Task<NpgsqlDataReader> ExecuteTenantReaderAsync(
        this PlatformDbContext context, DbCommand command, CommandBehavior behavior, CancellationToken cancellationToken)
    {
        if (command is not NpgsqlCommand npgsql || !ReferenceEquals(command.Connection, context.Database.GetDbConnection()))
        {
            throw new ArgumentException("The command must be created by this context (CreateDbCommand).", nameof(command));
        }

        // Without a scope the interceptor adds nothing and row-level security returns no rows: the same here.
        var tenant = context.Tenant is { HasScope: true } scope ? scope : null;
        if (tenant is not null)
        {
            TenantSettingsSql.Prepend(npgsql, tenant);
        }

        await context.Database.OpenConnectionAsync(cancellationToken);
        var reader = await npgsql.ExecuteReaderAsync(behavior, cancellationToken);
        if (tenant is not null)
        {
            await reader.NextResultAsync(cancellationToken);
        }

        return reader;
    }
}
