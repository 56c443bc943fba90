using Docker.DotNet;
using Platform.Runtime.Swarm;
using Platform.Tests.Support;

namespace Platform.Runtime.Tests;

/// <summary>
/// A single-node Docker Swarm of this test run (<see cref="PrivateDockerEngine.StartSwarmManagerAsync"/>), with the
/// agent test image. Started once per test assembly, and stopped (with everything in it) at the end. Every test works
/// in a scope of its own. Needs root and dockerd.
/// </summary>
public sealed partial class SwarmFixture : IAsyncLifetime
{
    public const string Image = "platform-local/agent-runtime:swarm-test";
    public static readonly string[] HealthCheckCommand = ["CMD-SHELL", "test -f /tmp/ok || exit 1"];

    /// <summary>
    /// Says hello on stdout and stderr (with $GREETING), marks itself healthy (/tmp/ok), then ticks every second (or
    /// every $TICK seconds); exits at once on SIGTERM, so scaling to 0 does not wait for the stop grace period.
    /// </summary>
    public const string AgentScript =
        "trap 'exit 0' TERM; echo \"hello $GREETING\"; echo \"oops $GREETING\" >&2; touch /tmp/ok; " +
        "i=0; while true; do i=$((i+1)); echo \"tick $i\"; sleep ${TICK:-1} & wait $!; done";

    private const string BaseImage = DockerEngines.AgentImage;

    private readonly string _runId = "sw-" + Guid.NewGuid().ToString("N")[..8];
    private int _scopes;
    private PrivateDockerEngine? _engine;
    private DockerClient? _client;

    /// <summary>The manager's DOCKER_HOST, <c>unix://…/docker.sock</c>.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>Why there is no swarm, or null when there is one.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>The manager's own API, to check what the runtime did (and to do what an operator would).</summary>
    public DockerClient Client => _client ?? throw new InvalidOperationException(Unavailable ?? "No swarm.");

    public async ValueTask InitializeAsync()
    {
        Unavailable = PrivateDockerEngine.Unavailable();
        if (Unavailable is not null)
        {
            return;
        }

        _engine = await PrivateDockerEngine.StartSwarmManagerAsync();
        Endpoint = _engine.Endpoint;
        _client = new DockerClientBuilder().WithEndpoint(new Uri(Endpoint)).Build();
        await _engine.BuildAgentImageAsync();
        await CommitAgentImageAsync(_client);
    }

    /// <summary>Skips the test without the means for a private engine, or fails it when PLATFORM_REQUIRE_DOCKER=1.</summary>
    public void Require() => DockerEngines.Require(Unavailable);

    public string NewScope() => $"{_runId}-{Interlocked.Increment(ref _scopes)}";

    /// <summary>Options of a test's scope: the test image, a short stop grace period, no health check unless asked.</summary>
    public RuntimeOptions Options(string scope, Action<RuntimeOptions>? configure = null)
    {
        var options = new RuntimeOptions
        {
            Backend = "swarm",
            Endpoint = Endpoint,
            Scope = scope,
            AgentImage = Image,
            StopGracePeriodSeconds = 5,
            HealthCheckIntervalSeconds = 1,
            HealthCheckTimeoutSeconds = 1,
            HealthCheckRetries = 1,
            RequestTimeoutSeconds = 30,
        };
        configure?.Invoke(options);
        var validation = new RuntimeOptionsValidator().Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        return options;
    }

    public SwarmRuntime Runtime(string scope, Action<RuntimeOptions>? configure = null) =>
        new(Options(scope, configure), new TestOutputLogger<SwarmRuntime>());

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_engine is not null)
        {
            // Leaves the swarm, stops the engine and removes what it left on the host.
            await _engine.DisposeAsync();
        }
    }
}
