using Aspire.Hosting;
using Aspire.Hosting.Testing;

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

        await ReadReplicaRuns.AssertReportsReadFromTheStreamingReplicaAsync(app, ct);
        await AppHostRun.AssertWholeAppHealthyAsync(app, ct);
        await WorkerCommandRuns.AssertEachJobCommandSucceedsAsync(app, ct);
        await AssertConsoleLinkedAndServedAsync(app, ct);
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
