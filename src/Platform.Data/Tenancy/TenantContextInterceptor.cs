using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Platform.Data.Tenancy;

/// <summary>
/// Applies <c>app.tenant_id</c> / <c>app.is_platform_admin</c> with <c>set_config(..., true)</c> to every
/// transaction a <see cref="PlatformDbContext"/> runs, so row-level security sees the caller's tenant
/// and a pooled connection never carries one request's tenant into the next (the settings end with
/// the transaction).
/// <list type="bullet">
/// <item>A command outside an explicit transaction is its own transaction: the settings are prepended
/// to it and travel in the same round trip.</item>
/// <item>Inside an explicit transaction the first command gets them the same way, unless it is a
/// SaveChanges batch: EF reads a batch's results by statement position, so those get the settings
/// as a separate statement on the same transaction just before.</item>
/// </list>
/// </summary>
public sealed class TenantContextInterceptor : DbCommandInterceptor, IDbTransactionInterceptor
{
    public static readonly TenantContextInterceptor Instance = new();

    // Transactions that began under a scope and have not run a statement yet.
    private readonly ConditionalWeakTable<DbTransaction, object> _pending = [];

    private static readonly object Marker = new();

    private TenantContextInterceptor()
    {
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Apply(command, eventData, null, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await Apply(command, eventData, Async, cancellationToken);
        return result;
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        if (WasPrepended(command))
        {
            result.NextResult();
        }

        return result;
    }

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        if (WasPrepended(command))
        {
            await result.NextResultAsync(cancellationToken);
        }

        return result;
    }

    public override InterceptionResult<int> NonQueryExecuting(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Apply(command, eventData, null, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await Apply(command, eventData, Async, cancellationToken);
        return result;
    }

    public override InterceptionResult<object> ScalarExecuting(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Apply(command, eventData, null, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await Apply(command, eventData, Async, cancellationToken);
        return result;
    }

    private static readonly object Async = new();

    // "mode" is null for the synchronous API: the standalone statement then runs synchronously, so
    // the returned ValueTask is always complete and blocking on it is free.
    private async ValueTask Apply(DbCommand command, CommandEventData eventData, object? mode, CancellationToken cancellationToken)
    {
        if (eventData.Context is not PlatformDbContext { Tenant: { HasScope: true } tenant })
        {
            return;
        }

        // A scalar reads the first result set, which a prepended statement would replace.
        var canPrepend = eventData.ExecuteMethod != DbCommandMethod.ExecuteScalar;
        if (command.Transaction is null)
        {
            if (!canPrepend)
            {
                throw new InvalidOperationException("A scalar query under a tenant scope must run inside a transaction.");
            }

            TenantSettingsSql.Prepend(command, tenant);
            return;
        }

        if (!_pending.TryGetValue(command.Transaction, out _))
        {
            return;
        }

        _pending.Remove(command.Transaction);
        if (canPrepend && eventData.CommandSource != CommandSource.SaveChanges)
        {
            TenantSettingsSql.Prepend(command, tenant);
            return;
        }

        await using var settings = TenantSettingsSql.CreateStandalone(command.Connection!, command.Transaction, tenant);
        if (mode is null)
        {
            settings.ExecuteNonQuery();
        }
        else
        {
            await settings.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static bool WasPrepended(DbCommand command) =>
        command.Parameters.Contains(TenantSettingsSql.TenantParameter);

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        MarkPending(eventData, result);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(
        DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        MarkPending(eventData, result);
        return ValueTask.FromResult(result);
    }

    private void MarkPending(TransactionEndEventData eventData, DbTransaction transaction)
    {
        if (eventData.Context is PlatformDbContext { Tenant.HasScope: true })
        {
            _pending.AddOrUpdate(transaction, Marker);
        }
    }
}
