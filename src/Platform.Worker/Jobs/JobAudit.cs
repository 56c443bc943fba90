using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Tenancy;

namespace Platform.Worker.Jobs;

/// <summary>
/// Runs one job execution and records it: one <c>system</c> audit row with the job's counts and
/// duration, whether it succeeded, failed or was cancelled, and a log line with the same numbers.
/// </summary>
public sealed class JobAudit(DbContextOptions<PlatformDbContext> dbOptions, ILogger<JobAudit> logger, TimeProvider clock)
{
    /// <summary>
    /// What the scheduled jobs run: <see cref="RunAsync"/> under the job's <see cref="JobLock"/>. When another run
    /// holds the lock, this one is skipped: every job is idempotent and works through whatever is due when it runs,
    /// so the run in progress does this one's work, and waiting would only hold a Hangfire worker. The skip is
    /// still a run: it logs, and its audit row counts <c>skipped = 1</c>.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> RunExclusiveAsync(
        string action, Func<JobCounts, CancellationToken, Task> job, CancellationToken cancellationToken)
    {
        await using var held = await JobLock.TryAcquireAsync(dbOptions, action, logger, cancellationToken);
        if (held is null)
        {
            return await RunAsync(action, (counts, _) =>
            {
                logger.LogInformation("Job {Action} skipped: another run holds its lock", action);
                counts.Add("skipped", 1);
                return Task.CompletedTask;
            }, cancellationToken);
        }

        using var whileHeld = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
        return await RunAsync(action, job, whileHeld.Token);
    }

    /// <summary>One run, audited, without a lock (tests run jobs side by side on one database this way).</summary>
    public async Task<IReadOnlyDictionary<string, long>> RunAsync(
        string action, Func<JobCounts, CancellationToken, Task> job, CancellationToken cancellationToken)
    {
        var counts = new JobCounts();
        var watch = Stopwatch.StartNew();
        Exception? failure = null;
        logger.LogInformation("Job {Action} started", action);
        try
        {
            await job(counts, cancellationToken);
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            var snapshot = counts.Snapshot();
            var outcome = failure switch
            {
                null => "finished",
                OperationCanceledException => "cancelled",
                _ => "failed",
            };
            logger.LogInformation("Job {Action} {Outcome} in {Elapsed} ms: {Counts}",
                action, outcome, watch.ElapsedMilliseconds, string.Join(", ", snapshot.Select(c => $"{c.Key}={c.Value}")));
            await WriteAsync(action, snapshot, watch.Elapsed, failure);
        }

        return counts.Snapshot();
    }

    private async Task WriteAsync(string action, IReadOnlyDictionary<string, long> counts, TimeSpan elapsed, Exception? failure)
    {
        try
        {
            await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
            db.AuditLogs.Add(new AuditLog
            {
                ActorType = AuditActorType.System,
                Action = action,
                Severity = failure is null ? AuditSeverity.Info : AuditSeverity.Warning,
                Details = JsonSerializer.SerializeToDocument(new
                {
                    counts,
                    durationMs = (long)elapsed.TotalMilliseconds,
                    error = failure?.Message,
                }),
                CreatedAt = clock.GetUtcNow(),
            });
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The job's own outcome stands; a missing audit row is logged, not fatal.
            logger.LogError(ex, "Could not write the audit row of job {Action}", action);
        }
    }
}
