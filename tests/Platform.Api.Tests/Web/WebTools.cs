using System.Diagnostics;
using Platform.Tests.Support;

namespace Platform.Api.Tests.Web;

/// <summary>
/// The npm tools of clients/typescript and web/ (openapi-typescript, tsc) and the built console (web/dist), installed by
/// scripts/install-web-tools.sh. Without them a test skips, or fails when <c>PLATFORM_REQUIRE_WEB_TOOLS=1</c>
/// (scripts/test.sh sets it, so CI never passes by skipping).
/// </summary>
internal static class WebTools
{
    public const string InstallHint = "run bash scripts/install-web-tools.sh";

    public static string ClientDirectory => Path.Combine(Repository.Root, "clients", "typescript");

    public static string ConsoleDirectory => Path.Combine(Repository.Root, "web");

    public static string ConsoleDist => Path.Combine(ConsoleDirectory, "dist");

    public static string OpenApiTypeScript => Path.Combine(ClientDirectory, "node_modules", ".bin", "openapi-typescript");

    public static string TypeScriptCompiler => Path.Combine(ClientDirectory, "node_modules", ".bin", "tsc");

    /// <summary>Skips (or in CI fails) the test unless every named file exists.</summary>
    public static void Require(params string[] files)
    {
        var missing = files.Where(f => !File.Exists(f)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var reason = $"Missing {string.Join(", ", missing)}: {InstallHint}.";
        Assert.SkipWhen(Environment.GetEnvironmentVariable("PLATFORM_REQUIRE_WEB_TOOLS") != "1", reason);
        Assert.Fail(reason);
    }

    public static void RequireConsoleBuild() => Require(Path.Combine(ConsoleDist, "index.html"), Path.Combine(ConsoleDist, "platform-client.js"));

    /// <summary>Runs a tool to its end (bounded) and returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Http.Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, (await output) + (await error));
    }
}
