using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Data;
using Platform.Data.Replication;
using Platform.Tests.Support;
using Platform.Worker.Containers;
using Platform.Worker.Replication;

namespace Platform.Worker.Tests;

/// <summary>
/// The platform-wide <c>replica_lag</c> alert: raised when the lag stays over Data:MaxReplicaLag, resolved when it
/// recovers; and <c>replica_unreachable</c>: raised when the replica stays down, resolved when it answers.
/// </summary>
public sealed class ReplicaLagAlertTests(WorkerFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task One_or_two_samples_over_the_limit_raise_nothing_the_third_in_a_row_does_and_one_under_it_resolves_it()
    {
        // The alert has one fingerprint for the platform: a database of its own.
        var database = await PlatformDatabase.CreateAsync(fixture.Postgres);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var monitor = new ReplicaMonitor(true, Options.Create(new ReplicaOptions { MaxReplicaLag = TimeSpan.FromSeconds(5) }),
            NullLogger<ReplicaMonitor>.Instance, services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, database.AppConnectionString);
        var alert = new ReplicaLagAlert(options.Options, new AlertStore(TimeProvider.System), monitor, NullLogger<ReplicaLagAlert>.Instance);

        await alert.ObserveAsync(Sample(9), Ct);
        await alert.ObserveAsync(Sample(9), Ct);
        await alert.ObserveAsync(Sample(1), Ct);
        await alert.ObserveAsync(Sample(9), Ct);
        await alert.ObserveAsync(Sample(9), Ct);
        Assert.Equal((0, 0), await AlertsAsync(database));

        await alert.ObserveAsync(Sample(9), Ct);
        Assert.Equal((1, 0), await AlertsAsync(database));
        await alert.ObserveAsync(Sample(9), Ct);
        Assert.Equal((1, 0), await AlertsAsync(database));

        await alert.ObserveAsync(Sample(0), Ct);
        Assert.Equal((0, 1), await AlertsAsync(database));
    }

    [Fact]
    public async Task The_worker_raises_replica_lag_while_the_standby_s_replay_is_paused_and_resolves_it_after()
    {
        var database = await PlatformDatabase.CreateAsync(fixture.Postgres);
        await using var standby = await PostgresStandby.StartAsync(fixture.Postgres);
        await using var worker = await WorkerReadingFromAsync(database, standby, maxReplicaLag: "00:00:01");
        var monitor = worker.Services.GetRequiredService<ReplicaMonitor>();

        await standby.PauseReplayAsync();
        try
        {
            await database.CreateTenantAsync();
            await WaitAsync(async () => await AlertsAsync(database) == (1, 0), "replica_lag to open");
            Assert.Equal(ReplicaRoute.PrimaryReplicaLagging, monitor.Status.Route);
        }
        finally
        {
            await standby.ResumeReplayAsync();
        }

        await WaitAsync(async () => await AlertsAsync(database) == (0, 1), "replica_lag to resolve");
    }

    [Fact]
    public async Task Two_failed_probes_raise_nothing_the_third_in_a_row_raises_replica_unreachable_and_one_answer_resolves_it()
    {
        var database = await PlatformDatabase.CreateAsync(fixture.Postgres);
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, database.AppConnectionString);
        var alert = new ReplicaUnreachableAlert(options.Options, new AlertStore(TimeProvider.System), NullLogger<ReplicaUnreachableAlert>.Instance);

        await alert.ObserveAsync(1, "refused", Ct);
        await alert.ObserveAsync(2, "refused", Ct);
        await alert.ObserveAsync(0, null, Ct);
        await alert.ObserveAsync(1, "refused", Ct);
        await alert.ObserveAsync(2, "refused", Ct);
        Assert.Equal((0, 0), await AlertsAsync(database, ReplicaUnreachableAlert.Kind));

        await alert.ObserveAsync(3, "refused", Ct);
        Assert.Equal((1, 0), await AlertsAsync(database, ReplicaUnreachableAlert.Kind));
        await alert.ObserveAsync(4, "refused", Ct);
        Assert.Equal((1, 0), await AlertsAsync(database, ReplicaUnreachableAlert.Kind));

        await alert.ObserveAsync(0, null, Ct);
        Assert.Equal((0, 1), await AlertsAsync(database, ReplicaUnreachableAlert.Kind));
    }

    [Fact]
    public async Task The_worker_raises_replica_unreachable_while_the_standby_is_stopped_and_resolves_it_once_it_answers()
    {
        var database = await PlatformDatabase.CreateAsync(fixture.Postgres);
        await using var standby = await PostgresStandby.StartAsync(fixture.Postgres);
        await using var worker = await WorkerReadingFromAsync(database, standby);
        var monitor = worker.Services.GetRequiredService<ReplicaMonitor>();

        await standby.KillAsync();
        try
        {
            await WaitAsync(async () => await AlertsAsync(database, ReplicaUnreachableAlert.Kind) == (1, 0), "replica_unreachable to open");
            Assert.True(monitor.FailedProbesInARow >= ReplicaUnreachableAlert.FailedProbesToOpen);
        }
        finally
        {
            await standby.StartAgainAsync();
        }

        await WaitAsync(async () => await AlertsAsync(database, ReplicaUnreachableAlert.Kind) == (0, 1), "replica_unreachable to resolve");
        Assert.Equal((0, 0), await AlertsAsync(database));
    }

    /// <summary>A worker whose reports read from <paramref name="standby"/>, probing it every 200 ms, once it reads from it.</summary>
    private static async Task<InProcessWorker> WorkerReadingFromAsync(PlatformDatabase database, PostgresStandby standby, string? maxReplicaLag = null)
    {
        var settings = WorkerProcess.Settings(database, $"http://127.0.0.1:{ServerProcess.FreeTcpPort()}", "platform-audit");
        settings["ConnectionStrings__platformdb-read"] = standby.ConnectionString(database.Name, PlatformDatabase.AppRole, PlatformDatabase.AppRolePassword);
        settings["Data__ReplicaProbeInterval"] = "00:00:00.200";
        if (maxReplicaLag is not null)
        {
            settings["Data__MaxReplicaLag"] = maxReplicaLag;
        }

        var worker = new InProcessWorker(settings);
        try
        {
            var monitor = worker.Services.GetRequiredService<ReplicaMonitor>();
            await WaitAsync(() => Task.FromResult(monitor.UsesReplica), "the worker to read from the replica");
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    private static ReplicaLagSample Sample(double lagSeconds) => new(true, lagSeconds, (long)(lagSeconds * 1000), DateTimeOffset.UtcNow);

    /// <summary>Open and resolved alerts of the kind (replica_lag unless told): platform-wide warnings only.</summary>
    private static async Task<(long Open, long Resolved)> AlertsAsync(PlatformDatabase database, string kind = ReplicaLagAlert.Kind)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FILTER (WHERE resolved_at IS NULL), count(*) FILTER (WHERE resolved_at IS NOT NULL)
            FROM alerts WHERE kind = @kind AND tenant_id IS NULL AND severity = 'warning'
            """, connection);
        command.Parameters.AddWithValue("kind", kind);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited {Bound} for {what}.");
            await Task.Delay(100, Ct);
        }
    }
}
