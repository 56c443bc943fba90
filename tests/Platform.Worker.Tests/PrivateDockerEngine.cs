using System.Diagnostics;

namespace Platform.Worker.Tests;

/// <summary>
/// A Docker engine of one test's own (scripts/docker-engine.sh with a state folder of its own), which the test may
/// stop and start again; the engine the other tests share is never touched. It needs root and dockerd.
/// </summary>
internal sealed class PrivateDockerEngine : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

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

    /// <summary>Why no private engine can run here, or null when one can.</summary>
    public static string? Unavailable()
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

    /// <summary>Skips the test without the means for an engine, or fails it when PLATFORM_REQUIRE_DOCKER=1.</summary>
    public static void Require()
    {
        if (Unavailable() is not { } reason)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("PLATFORM_REQUIRE_DOCKER") == "1")
        {
            Assert.Fail(reason);
        }

        Assert.Skip(reason);
    }

    /// <param name="engineArgs">More dockerd arguments (DOCKER_ENGINE_ARGS of the script), e.g. a TLS endpoint.</param>
    /// <param name="directory">The engine's state folder; a new one in the temp folder when null.</param>
    public static async Task<PrivateDockerEngine> StartAsync(string? engineArgs = null, string? directory = null)
    {
        // Short: the socket path must fit a unix socket address.
        directory ??= Path.Combine(Path.GetTempPath(), "pdk-" + Guid.NewGuid().ToString("N")[..10]);
        var endpoint = (await RunAsync("start", directory, engineArgs)).Trim();
        return new PrivateDockerEngine(directory, endpoint, engineArgs);
    }

    public Task StopAsync() => RunAsync("stop", StateDirectory, null);

    public Task StartAgainAsync() => RunAsync("start", StateDirectory, _engineArgs);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
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

    private static async Task<string> RunAsync(string command, string directory, string? engineArgs)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOCKER_ENGINE_ARGS"] = engineArgs ?? string.Empty;
        start.ArgumentList.Add(Path.Combine(DockerEngineFixture.RepositoryRoot(), "scripts", "docker-engine.sh"));
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(directory);
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
            throw new TimeoutException($"docker-engine.sh {command} {directory} did not finish within {ScriptTimeout.TotalSeconds:F0} s: {await error}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker-engine.sh {command} {directory} failed ({process.ExitCode}): {await output}{await error}");
        }

        return await output;
    }
}
