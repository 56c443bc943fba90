using System.Diagnostics;

namespace Platform.Api.Tests;

/// <summary>
/// The Docker engine of the test run (DOCKER_HOST, which scripts/test.sh sets as root) and two agent images on it: the
/// quiet test image of scripts/build-agent-image.sh, and a talking one that writes a numbered line to stdout and one to
/// stderr every 200 ms, for the logs endpoint. Built once per run, on first use.
/// </summary>
internal static class RuntimeEngine
{
    public const string QuietImage = "platform-local/agent-runtime:test";
    public const string TalkingImage = "platform-local/agent-runtime:talking";

    private static readonly Lazy<Task<string?>> Ready = new(PrepareAsync);

    public static string? Endpoint => Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : null;

    /// <summary>Skips the test without an engine, or fails it when PLATFORM_REQUIRE_DOCKER=1 (CI).</summary>
    public static async Task RequireAsync()
    {
        var missing = await Ready.Value;
        if (missing is not null)
        {
            Assert.SkipWhen(Environment.GetEnvironmentVariable("PLATFORM_REQUIRE_DOCKER") != "1", missing);
            Assert.Fail(missing);
        }
    }

    private static async Task<string?> PrepareAsync()
    {
        if (Endpoint is not { } endpoint || (endpoint.StartsWith("unix://", StringComparison.Ordinal) && !File.Exists(endpoint["unix://".Length..])))
        {
            return "No Docker engine: DOCKER_HOST names none (scripts/test.sh starts one as root).";
        }

        await RunAsync("bash", Path.Combine(Repository.Root, "scripts", "build-agent-image.sh"));
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

internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("No Platform.sln above " + AppContext.BaseDirectory);
    }
}
