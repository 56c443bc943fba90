using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Data.Hosting;
using Platform.Worker.Containers;

namespace Platform.Worker.Tests;

/// <summary>Options, registration, health check and backoff of the Docker integration.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerSetupTests(WorkerFixture fixture, DockerEngineFixture engine)
{
    [Fact]
    public void The_defaults_are_valid_and_follow_DOCKER_HOST()
    {
        var options = new DockerOptions();
        Assert.True(new DockerOptionsValidator().Validate(null, options).Succeeded);
        Assert.True(options.Enabled);
        Assert.Equal(15, options.PollIntervalSeconds);
        Assert.Equal(32, options.MaxParallelism);
        Assert.Equal(5, options.ProvisionIntervalSeconds);
        Assert.Equal("platform/agent-runtime:latest", options.AgentImage);
        Assert.Equal("none", options.NetworkMode);
        Assert.False(options.NetworkPerTenant);
        Assert.Null(options.HealthCheck);
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        Assert.Equal(string.IsNullOrEmpty(host) ? "unix:///var/run/docker.sock" : host, options.Endpoint);
    }

    [Theory]
    [InlineData("Docker:PollIntervalSeconds", "0")]
    [InlineData("Docker:MaxParallelism", "0")]
    [InlineData("Docker:Endpoint", "/var/run/docker.sock")]
    [InlineData("Docker:ApiBaseUrl", "not a url")]
    [InlineData("Docker:HealthCheck:0", "test -f /tmp/ok")]
    [InlineData("Docker:Scope", "Upper Case")]
    [InlineData("Docker:RestartPolicy", "sometimes")]
    public async Task Invalid_settings_stop_the_worker_at_start(string key, string value)
    {
        using var host = BuildHost(new() { [key] = value });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains(key.Split(':')[1], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_bind_from_configuration()
    {
        using var host = BuildHost(new()
        {
            ["Docker:Endpoint"] = "tcp://docker.internal:2375",
            ["Docker:PollIntervalSeconds"] = "30",
            ["Docker:HealthCheck:0"] = "CMD-SHELL",
            ["Docker:HealthCheck:1"] = "test -f /tmp/ok || exit 1",
            ["Docker:NetworkPerTenant"] = "true",
        });
        var options = host.Services.GetRequiredService<IOptions<DockerOptions>>().Value;
        Assert.Equal("tcp://docker.internal:2375", options.Endpoint);
        Assert.Equal(30, options.PollIntervalSeconds);
        Assert.Equal(new[] { "CMD-SHELL", "test -f /tmp/ok || exit 1" }, options.HealthCheck);
        Assert.True(options.NetworkPerTenant);
        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s is DockerPoller);
        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s is ContainerProvisioner);
    }

    [Fact]
    public async Task The_health_check_is_degraded_when_docker_is_switched_off()
    {
        using var host = BuildHost(new() { ["Docker:Enabled"] = "false" });
        var report = await host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(c => c.Name == "docker", TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Degraded, report.Entries["docker"].Status);
        Assert.Contains(ServiceDefaultsExtensions.ReadyTag, report.Entries["docker"].Tags);
    }

    [Fact]
    public async Task The_health_check_is_degraded_when_the_engine_does_not_answer()
    {
        var endpoint = $"unix:///tmp/no-docker-{Guid.NewGuid():N}.sock";
        using var host = BuildHost(new() { ["Docker:Endpoint"] = endpoint });
        var report = await host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(c => c.Name == "docker", TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Degraded, report.Entries["docker"].Status);
        Assert.Contains(endpoint, report.Entries["docker"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_health_check_is_healthy_when_the_engine_answers()
    {
        engine.Require();
        using var host = BuildHost(new() { ["Docker:Endpoint"] = engine.Endpoint });
        var report = await host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(c => c.Name == "docker", TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, report.Entries["docker"].Status);
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

    /// <summary>The worker's registration (data + containers), never started unless a test means to.</summary>
    private IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{PlatformDataHostingExtensions.ConnectionStringName}"] = fixture.Database.AppConnectionString,
            // Nothing may be provisioned from here: these hosts share the tests' database.
            ["Docker:Scope"] = engine.NewScope(),
            ["Docker:ProvisionIntervalSeconds"] = "3600",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPlatformData(exportsTelemetry: false);
        builder.AddAgentContainers();
        return builder.Build();
    }
}
