using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Platform.Data;
using Platform.Data.Tenancy;

namespace Platform.Worker.Archival;

/// <summary>
/// One group's export and delete in a single REPEATABLE READ transaction, as the application role in
/// platform scope. The DELETE sees the snapshot the export read, so a plain DELETE of the group removes
/// exactly the archived rows: a row written meanwhile is not in the snapshot and stays. Nothing is
/// deleted unless <see cref="DeleteAndCommitAsync"/> runs, after the object and manifest are verified;
/// disposing without it rolls back.
/// </summary>
internal sealed class ArchiveSnapshot : IAsyncDisposable
{
    private readonly PlatformDbContext _db;
    private readonly IDbContextTransaction _transaction;

    private ArchiveSnapshot(PlatformDbContext db, IDbContextTransaction transaction)
    {
        _db = db;
        _transaction = transaction;
    }

    public NpgsqlConnection Connection => (NpgsqlConnection)_db.Database.GetDbConnection();

    public static async Task<ArchiveSnapshot> BeginAsync(DbContextOptions<PlatformDbContext> dbOptions, CancellationToken cancellationToken)
    {
        var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        try
        {
            var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

            // The first statement carries the platform scope (TenantContextInterceptor) and takes the snapshot;
            // the COPY that follows runs on the connection directly, where the interceptor does not reach.
            await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken);
            return new ArchiveSnapshot(db, transaction);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>Deletes the group's rows as of the snapshot and commits; returns how many were deleted.</summary>
    public async Task<long> DeleteAndCommitAsync(ArchiveGroup group, long exportedRows, CancellationToken cancellationToken)
    {
        var sql = $"DELETE FROM audit_logs WHERE {group.RowCondition()}";
        var deleted = await _db.Database.ExecuteSqlRawAsync(sql, group.RowParameters(), cancellationToken);
        if (deleted > exportedRows)
        {
            // Impossible under REPEATABLE READ; if it ever happens, the rollback keeps every row.
            throw new InvalidOperationException(
                $"Deleting the archived rows of {ArchiveKeys.TenantLabel(group.TenantId)} {group.Day} matched {deleted} rows, more than the {exportedRows} archived: rolled back.");
        }

        await _transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _db.DisposeAsync();
    }
}
