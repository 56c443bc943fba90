using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Data.Hosting;
using Platform.Runtime;
using Platform.Runtime.Engine;
using Platform.Worker.Containers;

namespace Platform.Worker.Tests;

/// <summary>Options, registration, health check and backoff of the worker on the agent runtime (section <c>Runtime</c>).</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerSetupTests(WorkerFixture fixture, DockerEngineFixture engine)
{
    [Fact]
    public void The_defaults_are_valid_and_follow_DOCKER_HOST()
    {
        var options = new RuntimeOptions();
        var loop = new RuntimeLoopOptions();
        Assert.True(new RuntimeOptionsValidator().Validate(null, options).Succeeded);
        Assert.True(new RuntimeLoopOptionsValidator().Validate(null, loop).Succeeded);
        Assert.Equal(RuntimeBackend.Engine, options.BackendKind);
        Assert.Equal(15, loop.PollIntervalSeconds);
        Assert.Equal(32, options.MaxParallelism);
        Assert.Equal(5, loop.ProvisionIntervalSeconds);
        Assert.Equal("platform/agent-runtime:latest", options.AgentImage);
        Assert.Equal("none", options.NetworkMode);
        Assert.False(options.NetworkPerTenant);
        Assert.Null(options.HealthCheck);
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        Assert.Equal(string.IsNullOrEmpty(host) ? "unix:///var/run/docker.sock" : host, options.Endpoint);
    }

    [Theory]
    [InlineData("Runtime:PollIntervalSeconds", "0")]
    [InlineData("Runtime:ProvisionRetrySeconds", "0")]
    [InlineData("Runtime:ProvisionAttemptsBeforeError", "0")]
    [InlineData("Runtime:MaxParallelism", "0")]
    [InlineData("Runtime:Endpoint", "/var/run/docker.sock")]
    [InlineData("Runtime:ApiBaseUrl", "not a url")]
    [InlineData("Runtime:HealthCheck:0", "test -f /tmp/ok")]
    [InlineData("Runtime:Scope", "Upper Case")]
    [InlineData("Runtime:RestartPolicy", "sometimes")]
    [InlineData("Runtime:Backend", "kubernetes")]
    public async Task Invalid_settings_stop_the_worker_at_start(string key, string value)
    {
        using var host = BuildHost(new() { [key] = value });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains(key.Split(':')[1], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_tcp_endpoint_is_refused_unless_insecure_is_allowed()
    {
        using var refused = BuildHost(new() { ["Runtime:Endpoint"] = "tcp://docker.internal:2375" });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => refused.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Runtime:AllowInsecure", error.Message, StringComparison.Ordinal);

        using var allowed = BuildHost(new() { ["Runtime:Endpoint"] = "tcp://docker.internal:2375", ["Runtime:AllowInsecure"] = "true" });
        Assert.Equal("tcp://docker.internal:2375", allowed.Services.GetRequiredService<IOptions<RuntimeOptions>>().Value.Endpoint);
    }

    [Fact]
    public async Task Unreadable_TLS_material_makes_the_runtime_unavailable_with_the_reason_and_does_not_stop_the_host()
    {
        const string Garbage = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----";
        var options = new RuntimeOptions
        {
            Endpoint = "tcp://127.0.0.1:2376",
            CaCertificate = Garbage,
            ClientCertificate = Garbage,
            ClientKey = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----",
        };
        Assert.True(new RuntimeOptionsValidator().Validate(null, options).Succeeded);
        using var runtime = new EngineRuntime(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<EngineRuntime>.Instance);
        var error = await Assert.ThrowsAsync<RuntimeUnavailableException>(() => runtime.DescribeAsync(TestContext.Current.CancellationToken));
        Assert.Contains("TLS material", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bm90IGEga2V5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_bind_from_configuration()
    {
        using var host = BuildHost(new()
        {
            ["Runtime:Endpoint"] = "tcp://docker.internal:2375",
            ["Runtime:AllowInsecure"] = "true",
            ["Runtime:PollIntervalSeconds"] = "30",
            ["Runtime:ProvisionRetryMaxSeconds"] = "120",
            ["Runtime:HealthCheck:0"] = "CMD-SHELL",
            ["Runtime:HealthCheck:1"] = "test -f /tmp/ok || exit 1",
            ["Runtime:NetworkPerTenant"] = "true",
        });
        var options = host.Services.GetRequiredService<IOptions<RuntimeOptions>>().Value;
        var loop = host.Services.GetRequiredService<IOptions<RuntimeLoopOptions>>().Value;
        Assert.Equal("tcp://docker.internal:2375", options.Endpoint);
        Assert.Equal(30, loop.PollIntervalSeconds);
        Assert.Equal(120, loop.ProvisionRetryMaxSeconds);
        Assert.Equal(new[] { "CMD-SHELL", "test -f /tmp/ok || exit 1" }, options.HealthCheck);
        Assert.True(options.NetworkPerTenant);
        Assert.IsType<EngineRuntime>(host.Services.GetRequiredService<IAgentRuntime>());
        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s is DockerPoller);
        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s is ContainerProvisioner);
    }

    [Fact]
    public async Task The_health_check_is_degraded_without_a_runtime()
    {
        using var host = BuildHost(new() { ["Runtime:Backend"] = "none" });
        Assert.IsType<NoRuntime>(host.Services.GetRequiredService<IAgentRuntime>());
        var report = await host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(c => c.Name == "runtime", TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Degraded, report.Entries["runtime"].Status);
        Assert.Contains("Runtime:Backend=none", report.Entries["runtime"].Description, StringComparison.Ordinal);
        Assert.Contains(ServiceDefaultsExtensions.ReadyTag, report.Entries["runtime"].Tags);
    }

    [Fact]
    public async Task The_health_check_is_degraded_when_the_engine_does_not_answer()
    {
        var endpoint = $"unix:///tmp/no-docker-{Guid.NewGuid():N}.sock";
        using var host = BuildHost(new() { ["Runtime:Endpoint"] = endpoint });
        var report = await host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(c => c.Name == "runtime", TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Degraded, report.Entries["runtime"].Status);
        Assert.Contains($"unreachable at {endpoint}", report.Entries["runtime"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_health_check_is_healthy_when_the_engine_answers()
    {
        engine.Require();
        using var host = BuildHost(new() { ["Runtime:Endpoint"] = engine.Endpoint });
        var report = await host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(c => c.Name == "runtime", TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, report.Entries["runtime"].Status);
        Assert.Contains("Docker engine", report.Entries["runtime"].Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 15)]
    [InlineData(1, 15)]
    [InlineData(2, 30)]
    [InlineData(3, 60)]
    [InlineData(5, 240)]
    [InlineData(6, 300)]
    [InlineData(100, 300)]
    public void Backoff_doubles_from_the_interval_up_to_the_cap(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), DockerPoller.Backoff(TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(5), failures));

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(5, 480)]
    [InlineData(6, 600)]
    [InlineData(40, 600)]
    public void A_failed_create_is_retried_after_30_s_doubling_up_to_10_min(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), new RuntimeLoopOptions().ProvisionRetryDelay(failures));

    /// <summary>The worker's registration (data + containers), never started unless a test means to.</summary>
    private IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{PlatformDataHostingExtensions.ConnectionStringName}"] = fixture.Database.AppConnectionString,
            // Nothing may be provisioned from here: these hosts share the tests' database.
            ["Runtime:Scope"] = engine.NewScope(),
            ["Runtime:ProvisionIntervalSeconds"] = "3600",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(TimeProvider.System); // the host's clock, as AddServiceDefaults registers it
        builder.AddPlatformData(exportsTelemetry: false);
        builder.AddAgentContainers();
        return builder.Build();
    }
}
