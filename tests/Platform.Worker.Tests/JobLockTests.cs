using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Platform.Worker.Jobs;

namespace Platform.Worker.Tests;

/// <summary>One run of a job at a time, through a session advisory lock that goes with its connection.</summary>
public sealed class JobLockTests(WorkerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_that_finds_the_lock_held_is_skipped_and_audited_as_skipped()
    {
        var action = "test.lock_" + Guid.NewGuid().ToString("N")[..8];
        await using (var held = await JobLock.TryAcquireAsync(fixture.AppOptions, action, NullLogger.Instance, Ct))
        {
            Assert.NotNull(held);
            Assert.Null(await JobLock.TryAcquireAsync(fixture.AppOptions, action, NullLogger.Instance, Ct));

            var ran = false;
            var counts = await fixture.JobAudit().RunExclusiveAsync(action, (_, _) =>
            {
                ran = true;
                return Task.CompletedTask;
            }, Ct);

            Assert.False(ran);
            Assert.Equal(1, counts["skipped"]);
        }

        var details = await AuditDetailsAsync(action);
        Assert.Contains("\"skipped\": 1", Assert.Single(details), StringComparison.Ordinal);

        // Released with the run: the next one takes it and runs.
        var next = await fixture.JobAudit().RunExclusiveAsync(action, (c, _) =>
        {
            c.Add("done", 1);
            return Task.CompletedTask;
        }, Ct);
        Assert.Equal(1, next["done"]);
        Assert.False(next.ContainsKey("skipped"));
    }

    [Fact]
    public async Task A_lock_whose_session_ends_is_free_for_the_next_run_and_its_holder_is_told()
    {
        var action = "test.lock_" + Guid.NewGuid().ToString("N")[..8];
        await using var held = await JobLock.TryAcquireAsync(fixture.AppOptions, action, NullLogger.Instance, Ct);
        Assert.NotNull(held);

        // What a killed worker's connection amounts to on the server: its session ends.
        await using (var owner = new NpgsqlConnection(fixture.Database.OwnerConnectionString))
        {
            await owner.OpenAsync(Ct);
            await using var terminate = new NpgsqlCommand(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted " +
                "AND ((classid::bigint << 32) | objid::bigint) = @key", owner);
            terminate.Parameters.Add(new NpgsqlParameter<long>("key", JobLock.KeyOf(action)));
            Assert.True((bool?)await terminate.ExecuteScalarAsync(Ct));
        }

        // The server ends the session as soon as the backend sees the signal: no timeout to wait out.
        var watch = Stopwatch.StartNew();
        JobLock? next;
        while ((next = await JobLock.TryAcquireAsync(fixture.AppOptions, action, NullLogger.Instance, Ct)) is null)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the lock of an ended session is still held");
            await Task.Delay(50, Ct);
        }

        await next.DisposeAsync();
        watch.Restart();
        while (!held.Lost.IsCancellationRequested)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "the holder was not told that its lock is gone");
            await Task.Delay(100, Ct);
        }
    }

    private async Task<List<string>> AuditDetailsAsync(string action)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT details::text FROM audit_logs WHERE action = @action", connection);
        command.Parameters.AddWithValue("action", action);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
