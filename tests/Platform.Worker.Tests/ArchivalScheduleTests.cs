using System.Text.Json;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Data;
using Platform.Tests.Support;
using Platform.Worker.Archival;
using Platform.Worker.Hangfire;
using Platform.Worker.Jobs;

namespace Platform.Worker.Tests;

/// <summary>
/// When archival runs (a configurable cron, weekly by default) and what its audit row says it moved. Each test has a
/// database of its own: recurring jobs and job audit rows are storage-wide, and other tests write them too.
/// </summary>
public sealed class ArchivalScheduleTests(WorkerFixture fixture, LocalS3Fixture s3) : IClassFixture<LocalS3Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void By_default_archival_and_archive_retention_run_weekly_on_sunday_night()
    {
        var defaults = new JobScheduleOptions();
        Assert.Equal("0 2 * * 0", defaults.AuditArchival);
        Assert.Equal("0 4 * * 0", defaults.AuditArchiveRetention);
    }

    [Fact]
    public async Task The_registered_recurring_jobs_use_the_configured_crons_and_an_invalid_one_fails_the_start()
    {
        var database = await PlatformDatabase.CreateAsync(fixture.Postgres);
        var storage = HangfireStorage(database);
        var schedules = new JobScheduleOptions { AuditArchival = "15 1 * * 3", AuditArchiveRetention = "45 5 * * 3" };
        await new RecurringJobs(new RecurringJobManager(storage), Options.Create(schedules), NullLogger<RecurringJobs>.Instance).StartAsync(Ct);

        using (var connection = storage.GetConnection())
        {
            var registered = connection.GetRecurringJobs().ToDictionary(j => j.Id, j => j);
            Assert.Equal("15 1 * * 3", registered[ArchiveSetup.RecurringJobId].Cron);
            Assert.Equal(nameof(AuditArchiver.RunAsync), registered[ArchiveSetup.RecurringJobId].Job.Method.Name);
            Assert.Equal("45 5 * * 3", registered[ArchiveSetup.RetentionJobId].Cron);
            Assert.Equal(typeof(ArchiveRetentionJob), registered[ArchiveSetup.RetentionJobId].Job.Type);
            Assert.Equal(RecurringJobs.Ids.Order(), registered.Keys.Order());
        }

        var invalid = new JobScheduleOptions { AuditArchival = "every sunday" };
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            new RecurringJobs(new RecurringJobManager(storage), Options.Create(invalid), NullLogger<RecurringJobs>.Instance).StartAsync(Ct));
        Assert.Contains(failure.Failures, f => f.Contains("Jobs:Schedules:AuditArchival", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_runs_audit_row_says_how_many_rows_and_objects_it_moved()
    {
        var database = await PlatformDatabase.CreateAsync(fixture.Postgres);
        var dbOptions = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(dbOptions, database.AppConnectionString);
        using var h = new ArchiveHarness(fixture, s3.S3);
        var x = await database.CreateTenantAsync();
        await AuditSeed.DayAsync(database, x, h.CutoffDay.AddDays(-9), 120);
        await AuditSeed.DayAsync(database, x, h.CutoffDay.AddDays(-8), 30);
        await AuditSeed.DayAsync(database, null, h.CutoffDay.AddDays(-8), 7);

        var audit = new JobAudit(dbOptions.Options, NullLogger<JobAudit>.Instance, TimeProvider.System);
        var archiver = new AuditArchiver(h.Client, Options.Create(h.Options), dbOptions.Options, audit, NullLogger<AuditArchiver>.Instance, new FixedClock(h.Now));
        await archiver.RunAsync(Ct);

        var counts = (await JobRowsAsync(database)).Single().GetProperty("counts");
        Assert.Equal(157, counts.GetProperty(AuditArchiver.RowsMoved).GetInt64());
        Assert.Equal(3, counts.GetProperty(AuditArchiver.ObjectsMoved).GetInt64());
        Assert.Equal(3, counts.GetProperty("objects_uploaded").GetInt64());
        Assert.Equal(3, (await h.ListAsync()).Keys.Count(k => k.EndsWith(".ndjson.gz", StringComparison.Ordinal)));

        // A run with nothing to do says so: zero, not an absent count.
        await archiver.RunAsync(Ct);
        counts = (await JobRowsAsync(database))[^1].GetProperty("counts");
        Assert.Equal(0, counts.GetProperty(AuditArchiver.RowsMoved).GetInt64());
        Assert.Equal(0, counts.GetProperty(AuditArchiver.ObjectsMoved).GetInt64());
    }

    private static async Task<List<JsonElement>> JobRowsAsync(PlatformDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT details::text FROM audit_logs WHERE action = @action AND actor_type = 'system' ORDER BY created_at, id", connection);
        command.Parameters.AddWithValue("action", AuditArchiver.JobAction);
        var rows = new List<JsonElement>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(JsonDocument.Parse(reader.GetString(0)).RootElement.Clone());
        }

        return rows;
    }

    private static PostgreSqlStorage HangfireStorage(PlatformDatabase database)
    {
        var options = new PostgreSqlStorageOptions { SchemaName = HangfireSetup.Schema, PrepareSchemaIfNecessary = false };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(database.AppConnectionString, options), options);
    }
}
