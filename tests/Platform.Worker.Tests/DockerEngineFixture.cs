using System.Collections.Concurrent;
using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Runtime;
using Platform.Runtime.Engine;
using Platform.Tests.Support;
using Platform.Worker.Containers;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Platform.Worker.Tests;

[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerEngineFixture>
{
    public const string Name = "Docker";
}

/// <summary>
/// The Docker engine of the run (<see cref="DockerEngines.RunEndpoint"/>: DOCKER_HOST, else /var/run/docker.sock) and
/// the agent test image, built once with scripts/build-agent-image.sh. Every test works in a scope of its own
/// (label <c>platform.scope</c>), so pollers and provisioners only see its containers; all
/// containers of this run are removed at the end. The container helpers the tests use are in
/// DockerEngineFixture.Containers.cs. The tests drive the engine through <see cref="EngineRuntime"/>; the client
/// here only sets up and inspects behind its back.
/// </summary>
public sealed partial class DockerEngineFixture : IAsyncLifetime
{
    public const string Image = DockerEngines.AgentImage;
    public static readonly string[] HealthCheckCommand = ["CMD-SHELL", "test -f /tmp/ok || exit 1"];

    private readonly string _runId = "wt-" + Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentBag<IDisposable> _runtimes = [];
    private int _scopes;
    private DockerClient? _client;

    public string? Endpoint { get; private set; }

    /// <summary>Why there is no engine, or null when there is one.</summary>
    public string? Unavailable { get; private set; }

    public IDockerClient Client => _client ?? throw new InvalidOperationException(Unavailable ?? "No Docker engine.");

    public async ValueTask InitializeAsync()
    {
        Unavailable = DockerEngines.RunEngineUnavailable();
        if (Unavailable is not null)
        {
            return;
        }

        Endpoint = DockerEngines.RunEndpoint;
        await DockerEngines.BuildAgentImageAsync(Endpoint);
        _client = new DockerClientBuilder().WithEndpoint(new Uri(Endpoint)).Build();
    }

    /// <summary>Skips the test without an engine, or fails it when PLATFORM_REQUIRE_DOCKER=1.</summary>
    public void Require() => DockerEngines.Require(Unavailable);

    public string NewScope() => $"{_runId}-{Interlocked.Increment(ref _scopes)}";

    /// <summary>The runtime settings of a test scope on this engine (small health check intervals, no restarts).</summary>
    public RuntimeOptions Options(string scope, Action<RuntimeOptions>? configure = null)
    {
        var options = new RuntimeOptions
        {
            Backend = "engine",
            Endpoint = Endpoint ?? RuntimeOptions.DefaultSocket,
            Scope = scope,
            AgentImage = Image,
            ApiBaseUrl = "http://api.platform.test:8080",
            HealthCheck = HealthCheckCommand,
            HealthCheckIntervalSeconds = 1,
            HealthCheckTimeoutSeconds = 1,
            HealthCheckRetries = 1,
            RestartPolicy = "no",
            StopGracePeriodSeconds = 1,
        };
        configure?.Invoke(options);
        var validation = new RuntimeOptionsValidator().Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        return options;
    }

    /// <summary>The worker's loop settings of the tests: 1 s polls and provisioning passes.</summary>
    public static RuntimeLoopOptions Loop(Action<RuntimeLoopOptions>? configure = null)
    {
        var options = new RuntimeLoopOptions { PollIntervalSeconds = 1, MaxBackoffSeconds = 4, ProvisionIntervalSeconds = 1 };
        configure?.Invoke(options);
        var validation = new RuntimeLoopOptionsValidator().Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        return options;
    }

    /// <summary>An engine runtime with these settings, disposed with the fixture.</summary>
    public EngineRuntime Runtime(RuntimeOptions options)
    {
        var runtime = new EngineRuntime(options, NullLogger<EngineRuntime>.Instance);
        _runtimes.Add(runtime);
        return runtime;
    }

    public DockerPoller Poller(WorkerFixture database, RuntimeOptions options, RuntimeLoopOptions? loop = null) =>
        new(Runtime(options), MsOptions.Create(options), MsOptions.Create(loop ?? Loop()), database.AppOptions,
            new AlertStore(TimeProvider.System), NullLogger<DockerPoller>.Instance, TimeProvider.System);

    public ContainerProvisioner Provisioner(WorkerFixture database, RuntimeOptions options, params Guid[] tenants) =>
        Provisioner(database, options, Loop(), TimeProvider.System, tenants);

    public ContainerProvisioner Provisioner(WorkerFixture database, RuntimeOptions options, RuntimeLoopOptions loop, TimeProvider clock, params Guid[] tenants) =>
        new(Runtime(options), MsOptions.Create(options), MsOptions.Create(loop), database.AppOptions, new AlertStore(clock),
            NullLogger<ContainerProvisioner>.Instance, clock)
        {
            OnlyTenants = tenants,
        };

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            // Everything this run left behind (a test that failed before its own clean-up).
            var all = await _client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [RuntimeLabels.Scope] = true } },
            }, CancellationToken.None);
            foreach (var container in all.Where(c => c.Labels?.TryGetValue(RuntimeLabels.Scope, out var s) == true && s!.StartsWith(_runId, StringComparison.Ordinal)))
            {
                await _client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
            }

            _client.Dispose();
        }

        foreach (var runtime in _runtimes)
        {
            runtime.Dispose();
        }
    }

    public static async Task WaitAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken, int timeoutSeconds = 30)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(timeoutSeconds))
            {
                Assert.Fail($"Timed out after {timeoutSeconds} s waiting for {what}.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
