using System.Diagnostics;

namespace Platform.AppHost.Tests;

/// <summary>
/// The laptop path: PostgreSQL and Redis as containers. No image can be pulled here, so the images
/// are built locally with <c>docker import</c> from the machine's own binaries and never pulled.
/// </summary>
public sealed class ContainerModeTests
{
    [Fact]
    public async Task The_whole_app_starts_on_containers_built_from_local_images()
    {
        var ct = TestContext.Current.CancellationToken;
        RequireDockerEngine();
        await RunAsync("bash", RepositoryPaths.Script("build-local-images.sh"));

        await using var app = await AppHostRun.StartAsync(
        [
            "Infrastructure:Mode=containers",
            "Infrastructure:PostgresImage=platform-local/postgres:15",
            "Infrastructure:RedisImage=platform-local/redis:7",
            "Infrastructure:NeverPullImages=true",
            "Infrastructure:PersistData=false",
        ], ct);

        await ReadReplicaRuns.AssertReportsReadFromTheStreamingReplicaAsync(app, ct);
        await AppHostRun.AssertWholeAppHealthyAsync(app, ct);
    }

    private static void RequireDockerEngine()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        var available = host is not null ? File.Exists(host.Replace("unix://", "", StringComparison.Ordinal)) : File.Exists("/var/run/docker.sock");
        if (available)
        {
            return;
        }

        const string message = "No Docker engine: set DOCKER_HOST (scripts/test.sh starts one).";
        if (Environment.GetEnvironmentVariable("PLATFORM_REQUIRE_DOCKER") == "1")
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed: {await output}{await error}");
    }
}
