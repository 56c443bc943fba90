using System.IO.Compression;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data;
using Platform.Data.Tenancy;

namespace Platform.Worker.Archival;

/// <summary>
/// Deletes exactly the archived rows of a part a stopped run left in PostgreSQL (<see cref="StoppedRunRecovery"/>):
/// by the ids read from its archive file (verified against S3 before this is called), in batches, in one
/// transaction. A run that is not stopped deletes inside its <see cref="ArchiveSnapshot"/> instead.
/// </summary>
internal sealed class ArchivedRowDeleter(DbContextOptions<PlatformDbContext> dbOptions, S3ArchiveOptions options, ILogger logger)
{
    /// <summary>
    /// Rows already gone are fine; a file that does not hold <paramref name="expectedRows"/> rows deletes nothing.
    /// Returns how many rows were deleted.
    /// </summary>
    public async Task<long> DeleteAsync(ArchiveGroup group, FileStream file, long expectedRows, CancellationToken cancellationToken)
    {
        var sql = $"DELETE FROM audit_logs WHERE id = ANY(@ids) AND {group.RowCondition()}";
        file.Position = 0;
        await using var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
        using var reader = new StreamReader(gzip, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var ids = new List<Guid>(options.DeleteBatchSize);
        long lines = 0;
        long deleted = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            ids.Add(ArchiveLine.TryReadId(line, out var id) ? id : throw new InvalidDataException("An archive line does not start with its row id."));
            lines++;
            if (ids.Count == options.DeleteBatchSize)
            {
                deleted += await DeleteBatchAsync();
            }
        }

        if (ids.Count > 0)
        {
            deleted += await DeleteBatchAsync();
        }

        if (lines != expectedRows)
        {
            throw new InvalidDataException($"The archive of {ArchiveKeys.TenantLabel(group.TenantId)} {group.Day} holds {lines} rows, not {expectedRows}: nothing is deleted.");
        }

        await transaction.CommitAsync(cancellationToken);
        ArchiveLog.WarnIfRowsWereGone(logger, group, lines, deleted);

        return deleted;

        async Task<int> DeleteBatchAsync()
        {
            var affected = await db.Database.ExecuteSqlRawAsync(sql,
                [.. group.RowParameters(), new NpgsqlParameter<Guid[]>("ids", [.. ids])], cancellationToken);
            ids.Clear();
            return affected;
        }
    }
}
