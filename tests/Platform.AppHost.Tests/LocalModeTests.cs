using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Npgsql;

namespace Platform.AppHost.Tests;

/// <summary>The path of this machine and CI: PostgreSQL and Redis from the installed binaries.</summary>
public sealed class LocalModeTests : IDisposable
{
    private readonly StateDirectory _state = new();

    [Fact]
    public async Task The_whole_app_starts_the_migrator_finishes_the_services_are_healthy_and_the_worker_s_job_commands_run()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await AppHostRun.StartAsync(
            ["Infrastructure:Mode=local", $"Infrastructure:StateDirectory={_state.Path}"], ct);

        await AssertReportsReadFromTheStreamingReplicaAsync(app, ct);
        await AppHostRun.AssertWholeAppHealthyAsync(app, ct);
        await WorkerCommandRuns.AssertEachJobCommandSucceedsAsync(app, ct);
        await AssertConsoleLinkedAndServedAsync(app, ct);
    }

    /// <summary>
    /// <c>postgres-read</c> is a hot standby streaming from <c>postgres</c>, and the API and the worker read their
    /// reports from it (their <c>replica</c> check says so once it has answered).
    /// </summary>
    private static async Task AssertReportsReadFromTheStreamingReplicaAsync(DistributedApplication app, CancellationToken ct)
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

    /// <summary>Run mode links the operator console on the dashboard and the API serves web/dist when it is built.</summary>
    private static async Task AssertConsoleLinkedAndServedAsync(DistributedApplication app, CancellationToken ct)
    {
        var api = await app.ResourceNotifications.WaitForResourceAsync(
            "api", e => e.Snapshot.Urls.Any(u => u.Url.EndsWith("/console/", StringComparison.Ordinal)), ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Contains(api.Snapshot.Urls, u => u.DisplayProperties.DisplayName == "Operator console");

        var built = File.Exists(Path.Combine(RepositoryPaths.Root, "web", "dist", "index.html"));
        Assert.SkipWhen(!built && Environment.GetEnvironmentVariable("PLATFORM_REQUIRE_WEB_TOOLS") != "1",
            "web/dist is not built (bash scripts/install-web-tools.sh): the console's page was not checked.");
        using var client = app.CreateHttpClient("api");
        using var page = await client.GetAsync("/console/", ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Platform console", await page.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    public void Dispose() => _state.Dispose();
}
