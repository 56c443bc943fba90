using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Platform.Runtime.Swarm;

namespace Platform.Runtime.Tests;

/// <summary>
/// A single-node Docker Swarm of this test run: a private dockerd (scripts/docker-engine.sh with a state folder of its
/// own: data-root, exec-root, pid file, socket; no iptables, no default bridge), made a swarm manager on loopback
/// ports of its own, with the agent test image. Started once per test assembly, and stopped (with everything in it)
/// at the end. Every test works in a scope of its own. Needs root and dockerd.
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

    private const string BaseImage = "platform-local/agent-runtime:test";
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);

    private readonly string _runId = "sw-" + Guid.NewGuid().ToString("N")[..8];
    private int _scopes;
    private string? _stateDirectory;
    private DockerClient? _client;

    /// <summary>The manager's DOCKER_HOST, <c>unix://…/docker.sock</c>.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>Why there is no swarm, or null when there is one.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>The manager's own API, to check what the runtime did (and to do what an operator would).</summary>
    public DockerClient Client => _client ?? throw new InvalidOperationException(Unavailable ?? "No swarm.");

    public async ValueTask InitializeAsync()
    {
        Unavailable = PrivateEngineUnavailable();
        if (Unavailable is not null)
        {
            return;
        }

        // Short: the socket path must fit a unix socket address.
        _stateDirectory = Path.Combine(Path.GetTempPath(), "psw-" + Guid.NewGuid().ToString("N")[..8]);
        Endpoint = (await RunScriptAsync("docker-engine.sh", null, "start", _stateDirectory)).Trim();
        _client = new DockerClientBuilder().WithEndpoint(new Uri(Endpoint)).Build();
        await InitSwarmAsync(_client);
        await RunScriptAsync("build-agent-image.sh", Endpoint);
        await CommitAgentImageAsync(_client);
    }

    /// <summary>Skips the test without the means for a private engine, or fails it when PLATFORM_REQUIRE_DOCKER=1.</summary>
    public void Require()
    {
        if (Unavailable is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("PLATFORM_REQUIRE_DOCKER") == "1")
        {
            Assert.Fail(Unavailable);
        }

        Assert.Skip(Unavailable);
    }

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
        if (_stateDirectory is null)
        {
            return;
        }

        try
        {
            if (_client is not null)
            {
                await LeaveSwarmAsync(_client);
                _client.Dispose();
            }
        }
        finally
        {
            await RunScriptAsync("docker-engine.sh", null, "stop", _stateDirectory);
            await RemoveHostLeftoversAsync(_stateDirectory);
            try
            {
                Directory.Delete(_stateDirectory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Leftovers of the engine's mounts: the temp folder is cleaned by the OS.
            }
        }
    }

    private static string? PrivateEngineUnavailable()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "A private Docker engine (for the swarm) needs root.";
        }

        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return new[] { "dockerd", "docker" }.FirstOrDefault(tool => !path.Any(dir => File.Exists(Path.Combine(dir, tool)))) is { } missing
            ? $"{missing} is not installed (Debian: apt-get install -y docker.io)."
            : null;
    }

    internal static async Task<string> RunScriptAsync(string name, string? dockerHost, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "scripts", name));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (dockerHost is not null)
        {
            start.Environment["DOCKER_HOST"] = dockerHost;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(ScriptTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} {string.Join(' ', arguments)} did not finish within {ScriptTimeout.TotalSeconds:F0} s: {await error}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{name} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }

        return await output;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Platform.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A port nothing is bound to now (TCP or UDP), in the range a swarm accepts for its ports.</summary>
    internal static int FreePort(SocketType type, ProtocolType protocol)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20000, 49151);
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
                socket.Bind(new IPEndPoint(IPAddress.Any, port));
                return port;
            }
            catch (SocketException) when (attempt < 50)
            {
            }
        }
    }
}
