namespace Platform.Tests.Support;

/// <summary>
/// A Docker engine of the tests' own (scripts/docker-engine.sh with a state folder of its own: data-root, exec-root, pid
/// file, socket; no iptables, no default bridge), which its owner may stop and start again; no other engine is touched.
/// Plain (<see cref="StartAsync"/>), answering TLS clients on loopback (<see cref="StartTlsAsync"/>) or a single-node
/// swarm manager (<see cref="StartSwarmManagerAsync"/>). Disposing it stops it and removes what it left on the host.
/// Needs root and dockerd (<see cref="Require"/>).
/// </summary>
public sealed partial class PrivateDockerEngine : IAsyncDisposable
{
    private readonly string? _engineArgs;

    private PrivateDockerEngine(string stateDirectory, string endpoint, string? engineArgs)
    {
        StateDirectory = stateDirectory;
        Endpoint = endpoint;
        _engineArgs = engineArgs;
    }

    public string StateDirectory { get; }

    /// <summary>The engine's DOCKER_HOST, <c>unix://…/docker.sock</c>.</summary>
    public string Endpoint { get; }

    /// <summary>The dockerd process, from its pid file.</summary>
    public int ProcessId => int.Parse(File.ReadAllText(Path.Combine(StateDirectory, "docker.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Why no private engine can run here, or null when one can.</summary>
    public static string? Unavailable() => DockerEngines.PrivateEngineUnavailable();

    /// <summary>Skips the test without the means for an engine, or fails it when PLATFORM_REQUIRE_DOCKER=1.</summary>
    public static void Require() => DockerEngines.Require(Unavailable());

    /// <param name="engineArgs">More dockerd arguments (DOCKER_ENGINE_ARGS of the script), e.g. a TLS endpoint.</param>
    /// <param name="directory">The engine's state folder; a new one in the temp folder when null.</param>
    public static async Task<PrivateDockerEngine> StartAsync(string? engineArgs = null, string? directory = null)
    {
        directory ??= NewStateDirectory("pdk-");
        var endpoint = (await RunAsync("start", directory, engineArgs)).Trim();
        return new PrivateDockerEngine(directory, endpoint, engineArgs);
    }

    /// <summary>Builds the agent test image on this engine.</summary>
    public Task BuildAgentImageAsync() => DockerEngines.BuildAgentImageAsync(Endpoint);

    public Task StopAsync() => RunAsync("stop", StateDirectory, null);

    public Task StartAgainAsync() => RunAsync("start", StateDirectory, _engineArgs);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await LeaveSwarmAsync();
            await StopAsync();
            await RemoveHostLeftoversAsync();
        }
        finally
        {
            try
            {
                Directory.Delete(StateDirectory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Leftovers of the engine's mounts: the temp folder is cleaned by the OS.
            }
        }
    }

    /// <summary>A new state folder in the temp folder; short, as the socket path must fit a unix socket address.</summary>
    private static string NewStateDirectory(string prefix) => Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..10]);

    private static Task<string> RunAsync(string command, string directory, string? engineArgs) =>
        Repository.RunScriptAsync("docker-engine.sh", new Dictionary<string, string> { ["DOCKER_ENGINE_ARGS"] = engineArgs ?? string.Empty }, command, directory);
}
