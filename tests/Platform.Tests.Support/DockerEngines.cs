namespace Platform.Tests.Support;

/// <summary>
/// Whether the tests can have a Docker engine: the run's engine (DOCKER_HOST, which scripts/test.sh sets as root, else
/// /var/run/docker.sock) or a private one (<see cref="PrivateDockerEngine"/>: root and dockerd). Without one a test is
/// skipped, or fails when PLATFORM_REQUIRE_DOCKER=1 (CI).
/// </summary>
public static class DockerEngines
{
    public const string DefaultSocket = "unix:///var/run/docker.sock";

    /// <summary>The agent test image of scripts/build-agent-image.sh.</summary>
    public const string AgentImage = "platform-local/agent-runtime:test";

    /// <summary>The run's engine: DOCKER_HOST, else the default socket.</summary>
    public static string RunEndpoint =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { } host && !string.IsNullOrWhiteSpace(host) ? host : DefaultSocket;

    /// <summary>Why the run has no engine, or null when it has one.</summary>
    public static string? RunEngineUnavailable()
    {
        var endpoint = RunEndpoint;
        if (!endpoint.StartsWith("unix://", StringComparison.Ordinal) || File.Exists(endpoint["unix://".Length..]))
        {
            return null;
        }

        return endpoint == DefaultSocket
            ? "No Docker engine: set DOCKER_HOST (scripts/docker-engine.sh start DIR prints it; scripts/test.sh starts one as root) or run /var/run/docker.sock."
            : $"No Docker engine: DOCKER_HOST={endpoint} names no socket.";
    }

    /// <summary>Why no private engine can run here, or null when one can.</summary>
    public static string? PrivateEngineUnavailable()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "A private Docker engine needs root.";
        }

        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return new[] { "dockerd", "docker" }.FirstOrDefault(tool => !path.Any(dir => File.Exists(Path.Combine(dir, tool)))) is { } missing
            ? $"{missing} is not installed (Debian: apt-get install -y docker.io)."
            : null;
    }

    /// <summary>Skips the test when <paramref name="unavailable"/> says why there is no engine, or fails it when PLATFORM_REQUIRE_DOCKER=1.</summary>
    public static void Require(string? unavailable)
    {
        if (unavailable is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("PLATFORM_REQUIRE_DOCKER") == "1")
        {
            Assert.Fail(unavailable);
        }

        Assert.Skip(unavailable);
    }

    /// <summary>Builds the agent test image (scripts/build-agent-image.sh, idempotent) on the engine at <paramref name="endpoint"/>.</summary>
    public static Task BuildAgentImageAsync(string endpoint) =>
        Repository.RunScriptAsync("build-agent-image.sh", new Dictionary<string, string> { ["DOCKER_HOST"] = endpoint });
}
