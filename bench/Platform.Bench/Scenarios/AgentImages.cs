namespace Platform.Bench;

/// <summary>The agent images the runtime scenarios run, built on an engine without a registry.</summary>
internal static class AgentImages
{
    /// <summary>
    /// A busybox shell that holds 8 MB in a variable, so that memory figures mean something, and exits at once on
    /// SIGTERM, so that stopping it does not wait for the grace period (an agent that obeys SIGTERM).
    /// </summary>
    public const string Holding = "platform-local/agent-runtime:bench-holding";
    private const string HoldingScript = "trap 'exit 0' TERM; x=$(printf '%8000000s' ''); while true; do sleep 1 & wait $!; done";

    public static async Task BuildAsync(string dockerHost)
    {
        await DockerEngines.BuildAgentImageAsync(dockerHost);
        var environment = new Dictionary<string, string> { ["DOCKER_HOST"] = dockerHost };
        var name = "bench-holding-" + Guid.NewGuid().ToString("N")[..8];
        await Tools.RunAsync("docker", ["create", "--name", name, "--network", "none", DockerEngines.AgentImage], environment);
        try
        {
            var command = JsonSerializer.Serialize(new[] { "/bin/sh", "-c", HoldingScript });
            await Tools.RunAsync("docker", ["commit", "--change", "CMD " + command, name, Holding], environment);
        }
        finally
        {
            await Tools.RunAsync("docker", ["rm", "-f", name], environment);
        }
    }
}
