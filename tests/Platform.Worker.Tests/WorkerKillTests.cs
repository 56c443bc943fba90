using System.Diagnostics;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;
using Platform.Tests.Support;
using Platform.Worker.Archival;
using Platform.Worker.Hangfire;

namespace Platform.Worker.Tests;

/// <summary>
/// A worker process killed with SIGKILL in the middle of an audit archival: the next worker process runs the job again
/// and it succeeds within three minutes of that worker starting, no Hangfire job stays Processing, and every audit row
/// is exactly once either in PostgreSQL or under a manifest in S3, never deleted without being archived.
/// </summary>
public sealed class WorkerKillTests(WorkerFixture fixture, LocalS3Fixture s3) : IClassFixture<LocalS3Fixture>
{
    // Enough (tenant, day) groups that a run lasts seconds, so the kill lands between groups or inside one.
    private const int Days = 30;
    private const int RowsPerDay = 4_000;
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan MidRunBound = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_worker_killed_during_archival_is_recovered_by_the_next_worker_within_three_minutes()
    {
        // A database of its own: a real worker archives every tenant's old rows and runs Hangfire there.
        var database = await PlatformDatabase.CreateAsync(fixture.Postgres);
        using var h = new ArchiveHarness(fixture, s3.S3);
        var tenants = new Guid?[] { await database.CreateTenantAsync(), await database.CreateTenantAsync() };
        var seeded = new HashSet<Guid>();
        foreach (var tenant in tenants)
        {
            for (var i = 0; i < Days; i++)
            {
                // Two days clear of the cutoff, so a run near midnight UTC still archives them all.
                seeded.UnionWith((await AuditSeed.DayAsync(database, tenant, h.CutoffDay.AddDays(-2 - i), RowsPerDay)).Select(r => r.Id));
            }
        }

        var archive = new ArchiveCensus(database, h, tenants);
        var settings = WorkerProcess.Settings(database, s3.S3.ServiceUrl, h.Bucket);
        var options = new PostgreSqlStorageOptions { SchemaName = HangfireSetup.Schema, PrepareSchemaIfNecessary = false };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(database.AppConnectionString, options), options);

        await using var first = await WorkerProcess.StartAsync(settings, Ct);
        var jobId = long.Parse(new RecurringJobManager(storage).TriggerJob(ArchiveSetup.RecurringJobId), System.Globalization.CultureInfo.InvariantCulture);
        var killedWhen = await WaitUntilMidRunAsync(first, database, archive, jobId, seeded.Count);
        await first.KillAsync();
        var sinceKill = Stopwatch.StartNew();

        var left = await archive.TakeAsync();
        Report($"killed pid {first.ProcessId} when {killedWhen}; left: {left.Describe()}");
        Assert.Equal("Processing", await JobStateAsync(database, jobId));
        Assert.Empty(left.DeletedButNotArchived(seeded));

        var started = sinceKill.Elapsed;
        await using var second = await WorkerProcess.StartAsync(settings, Ct);
        var answering = sinceKill.Elapsed;
        var succeeded = await WaitForJobAsync(second, database, jobId, started + RecoveryBound, sinceKill);
        Report($"kill → second worker started {started.TotalSeconds:F1} s, answering {answering.TotalSeconds:F1} s, job {jobId} Succeeded " +
               $"{succeeded.TotalSeconds:F1} s: {(succeeded - started).TotalSeconds:F1} s after the second worker started (bound {RecoveryBound.TotalSeconds:F0} s)");
        Assert.Equal(0, await ScalarAsync(database, "SELECT count(*) FROM hangfire.job WHERE statename = 'Processing'"));

        var after = await archive.TakeAsync();
        Assert.Empty(after.InPostgres);
        Assert.Empty(after.ObjectsWithoutManifest);
        Assert.Equal(0, after.DuplicateIds);
        Assert.True(seeded.SetEquals(after.UnderManifest), $"archived {after.UnderManifest.Count} of {seeded.Count} seeded rows, or others");
        foreach (var tenant in tenants)
        {
            var verification = await h.Verifier().VerifyAsync(ArchiveKeys.TenantLabel(tenant), Ct);
            Assert.True(verification.IsIntact, string.Join("; ", verification.Problems));
        }

        // The killed run wrote no audit row; the re-run wrote one, and did the work rather than skip.
        var run = Assert.Single(await TextsAsync(database, "SELECT details::text FROM audit_logs WHERE action = 'job.audit_archival'"));
        Report($"the re-run's audit row: {run}");
        Assert.DoesNotContain("\"skipped\"", run, StringComparison.Ordinal);

        var serverGone = await WaitForServerGoneAsync(database, first.ProcessId, sinceKill);
        Report($"the killed worker's Hangfire server was removed {serverGone.TotalSeconds:F1} s after the kill");
    }

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>Waits until the run has archived some groups but not all, preferably with an object not yet under its manifest.</summary>
    private static async Task<string> WaitUntilMidRunAsync(WorkerProcess worker, PlatformDatabase database, ArchiveCensus archive, long jobId, int total)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < MidRunBound)
        {
            var state = await JobStateAsync(database, jobId);
            Assert.True(state is "Enqueued" or "Processing", $"job {jobId} is {state} before the kill: seed more rows.\n{worker.Output}");
            if (state == "Processing")
            {
                var keys = await archive.KeysAsync();
                var manifests = keys.Count(k => k.Value == ArchiveKeyKind.Manifest);
                var pending = keys.Where(k => k.Value == ArchiveKeyKind.Data).Count(o => !keys.ContainsKey(ArchiveCensus.ManifestOf(o.Key)));
                if (manifests > 0 && pending > 0)
                {
                    return $"{manifests} manifests written and {pending} object(s) uploaded without one ({watch.Elapsed.TotalSeconds:F1} s after the trigger)";
                }

                var remaining = await archive.RowsInPostgresAsync();
                if (remaining <= total / 2)
                {
                    return $"{total - remaining} of {total} rows archived and deleted ({watch.Elapsed.TotalSeconds:F1} s after the trigger)";
                }
            }

            await Task.Delay(10, Ct);
        }

        Assert.Fail($"The archival did not get half-way within {MidRunBound.TotalSeconds:F0} s.\n{worker.Output}");
        return "";
    }

    /// <summary>Waits for the job to succeed; fails at <paramref name="deadline"/> (time since the kill) or if it fails.</summary>
    private static async Task<TimeSpan> WaitForJobAsync(WorkerProcess worker, PlatformDatabase database, long jobId, TimeSpan deadline, Stopwatch sinceKill)
    {
        while (true)
        {
            var state = await JobStateAsync(database, jobId);
            if (state == "Succeeded")
            {
                return sinceKill.Elapsed;
            }

            Assert.True(state is "Enqueued" or "Processing", $"job {jobId} went to {state} after the kill.\n{worker.Output}");
            Assert.True(sinceKill.Elapsed < deadline,
                $"job {jobId} is still {state} {sinceKill.Elapsed.TotalSeconds:F0} s after the kill (bound: {RecoveryBound.TotalSeconds:F0} s after the second worker started).\n{worker.Output}");
            await Task.Delay(250, Ct);
        }
    }

    /// <summary>Hangfire's watchdogs remove a server whose heartbeat stopped; waits (bounded) until the killed one is gone.</summary>
    private static async Task<TimeSpan> WaitForServerGoneAsync(PlatformDatabase database, int processId, Stopwatch sinceKill)
    {
        var bound = HangfireTimings.ServerTimeout + HangfireTimings.ServerCheckInterval + TimeSpan.FromSeconds(30);
        var prefix = $"{Environment.MachineName}:{processId}:".ToLowerInvariant();
        while (await ScalarAsync(database, $"SELECT count(*) FROM hangfire.server WHERE lower(id) LIKE '{prefix.Replace("'", "''", StringComparison.Ordinal)}%'") > 0)
        {
            Assert.True(sinceKill.Elapsed < bound, $"the killed worker's Hangfire server is still listed {sinceKill.Elapsed.TotalSeconds:F0} s after the kill");
            await Task.Delay(500, Ct);
        }

        return sinceKill.Elapsed;
    }

    private static async Task<string?> JobStateAsync(PlatformDatabase database, long jobId) =>
        (await TextsAsync(database, $"SELECT statename FROM hangfire.job WHERE id = {jobId}")).SingleOrDefault();

    private static async Task<long> ScalarAsync(PlatformDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> TextsAsync(PlatformDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var texts = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            texts.Add(reader.GetString(0));
        }

        return texts;
    }
}
