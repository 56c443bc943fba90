using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Npgsql;

namespace Platform.AppHost.Tests;

/// <summary>What every run mode that starts its own read replica must show, whichever way it makes it.</summary>
internal static class ReadReplicaRuns
{
    /// <summary>
    /// <c>postgres-read</c> is a hot standby streaming from <c>postgres</c>, and the API and the worker read their
    /// reports from it (their <c>replica</c> check says so once it has answered).
    /// </summary>
    public static async Task AssertReportsReadFromTheStreamingReplicaAsync(DistributedApplication app, CancellationToken ct)
    {
        await app.ResourceNotifications.WaitForResourceHealthyAsync("postgres-read", ct).WaitAsync(AppHostRun.StartTimeout, ct);
        await using (var standby = new NpgsqlConnection(await app.GetConnectionStringAsync("platformdb-read", ct)))
        {
            await standby.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", standby);
            Assert.True((bool)(await command.ExecuteScalarAsync(ct))!, "postgres-read is not a standby");
        }

        foreach (var service in new[] { "api", "worker" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(service, ct).WaitAsync(AppHostRun.StartTimeout, ct);
            using var client = app.CreateHttpClient(service);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            string health;
            while (!(health = await client.GetStringAsync("/health", ct)).Contains("Reports read from the replica", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, $"{service} does not read from the replica: {health}");
                await Task.Delay(250, ct);
            }
        }

        // The migrator ran on the primary while the copy was being made or after: its schema streamed across.
        await using var replicated = new NpgsqlConnection(await app.GetConnectionStringAsync("platformdb-read", ct));
        await replicated.OpenAsync(ct);
        await using var schema = new NpgsqlCommand("SELECT to_regclass('public.audit_logs') IS NOT NULL", replicated);
        Assert.True((bool)(await schema.ExecuteScalarAsync(ct))!, "the migrated schema did not reach postgres-read");
    }
}
