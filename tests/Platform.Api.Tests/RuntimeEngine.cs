using System.Diagnostics;
using Platform.Tests.Support;

namespace Platform.Api.Tests;

/// <summary>
/// The Docker engine of the test run (<see cref="DockerEngines.RunEndpoint"/>) and two agent images on it: the
/// quiet test image of scripts/build-agent-image.sh, and a talking one that writes a numbered line to stdout and one to
/// stderr every 200 ms, for the logs endpoint. Built once per run, on first use.
/// </summary>
internal static class RuntimeEngine
{
    public const string QuietImage = DockerEngines.AgentImage;
    public const string TalkingImage = "platform-local/agent-runtime:talking";

    private static readonly Lazy<Task<string?>> Ready = new(PrepareAsync);

    public static string Endpoint => DockerEngines.RunEndpoint;

    /// <summary>Skips the test without an engine, or fails it when PLATFORM_REQUIRE_DOCKER=1 (CI).</summary>
    public static async Task RequireAsync()
    {
        DockerEngines.Require(await Ready.Value);
    }

    private static async Task<string?> PrepareAsync()
    {
        if (DockerEngines.RunEngineUnavailable() is { } missing)
        {
            return missing;
        }

        await DockerEngines.BuildAgentImageAsync(Endpoint);
        var name = "platform-talking-" + Guid.NewGuid().ToString("N")[..8];
        await RunAsync("docker", "create", "--name", name, "--network", "none", QuietImage);
        try
        {
            await RunAsync("docker", "commit", "--change",
                """CMD ["/bin/sh","-c","trap 'exit 0' TERM; i=0; while true; do echo out $i; echo err $i >&2; i=$((i+1)); sleep 0.2; done"]""",
                name, TalkingImage);
        }
        finally
        {
            await RunAsync("docker", "rm", "-f", name);
        }

        return null;
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
