using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Platform.AppHost.Tests;

/// <summary>Starts the real AppHost through Aspire.Hosting.Testing with explicit settings and a hard timeout.</summary>
internal static class AppHostRun
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    public const string PlatformAdminEmail = "admin@platform.test";
    public const string PlatformAdminPassword = "PlatformAdminPassword012";

    /// <param name="apiSettings">Configuration given to every API replica as environment variables.</param>
    public static async Task<DistributedApplication> StartAsync(
        IEnumerable<string> settings, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? apiSettings = null)
    {
        string[] args =
        [
            "DcpPublisher:RandomizePorts=true",
            "Parameters:app-role-password=AppRolePassword0123456789",
            $"Parameters:platform-admin-email={PlatformAdminEmail}",
            $"Parameters:platform-admin-password={PlatformAdminPassword}",
            "Parameters:sample-user-password=SampleUserPassword0123",
            "Parameters:postgres-password=PostgresPassword01234567",
            "Parameters:redis-password=RedisPassword0123456789",
            "Parameters:jwt-signing-key=JwtSigningKeyForAppHostTests0123456789abcdef",
            $"Runtime:Scope=apphost-{Guid.NewGuid():N}",
            .. settings,
        ];

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Platform_AppHost>(args, cancellationToken);
        var api = builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "api"));
        foreach (var (name, value) in apiSettings ?? new Dictionary<string, string>())
        {
            api.WithEnvironment(name, value);
        }

        var app = await builder.BuildAsync(cancellationToken);
        try
        {
            // StartAsync hangs rather than fails when a dependency crashes: always bound it.
            await app.StartAsync(cancellationToken).WaitAsync(StartTimeout, cancellationToken);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>The migrator, API and worker reach their final states: Finished with exit code 0, and Healthy.</summary>
    public static async Task AssertWholeAppHealthyAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var notifications = app.ResourceNotifications;
        var migrator = await notifications.WaitForResourceAsync(
            "migrator", e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), cancellationToken)
            .WaitAsync(StartTimeout, cancellationToken);
        Assert.Equal(KnownResourceStates.Finished, migrator.Snapshot.State?.Text);
        Assert.Equal(0, migrator.Snapshot.ExitCode);

        await notifications.WaitForResourceHealthyAsync("api", cancellationToken).WaitAsync(StartTimeout, cancellationToken);
        await notifications.WaitForResourceHealthyAsync("worker", cancellationToken).WaitAsync(StartTimeout, cancellationToken);

        using var api = app.CreateHttpClient("api");
        // Within a bound: in local mode the read replica may start after the API's first probe of it, and the API then
        // reports Degraded (reads on the primary) until its next probe a few seconds later.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var health = await api.GetAsync("/health", cancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
            var body = await health.Content.ReadAsStringAsync(cancellationToken);
            if (body.Contains("\"status\":\"Healthy\"", StringComparison.Ordinal))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The API is not Healthy: {body}");
            await Task.Delay(250, cancellationToken);
        }

        using var alive = await api.GetAsync("/alive", cancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, alive.StatusCode);

        using var openApi = await api.GetAsync("/openapi/v1.json", cancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, openApi.StatusCode);

        using var worker = app.CreateHttpClient("worker");
        using var workerHealth = await worker.GetAsync("/health", cancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, workerHealth.StatusCode);
    }
}
