using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Tenancy;

namespace Platform.Worker.Jobs;

/// <summary>
/// Runs a bounded statement (one batch of rows, <c>LIMIT</c>ed) again and again until a run affects fewer rows than a
/// batch, each in its own transaction: no table is locked for long, and an interrupted job keeps what it did.
/// </summary>
public static class BatchedStatement
{
    /// <summary>Returns the rows affected in all; counts each statement under <c>batches</c>.</summary>
    public static async Task<long> RunAsync(
        DbContextOptions<PlatformDbContext> dbOptions, FormattableString statement, int batchSize, JobCounts counts, CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
            var affected = await db.Database.ExecuteSqlAsync(statement, cancellationToken);
            counts.Add("batches", 1);
            total += affected;
            if (affected < batchSize)
            {
                return total;
            }
        }
    }
}
