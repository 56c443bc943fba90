using System.Diagnostics;

namespace Platform.Tests.Support;

/// <summary>The repository the tests run from, and its scripts (scripts/NAME), which the tests run as a developer would.</summary>
public static class Repository
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);

    public static string Root { get; } = Find();

    /// <summary>Runs scripts/NAME with these arguments (and environment); its standard output. Fails on a non-zero exit.</summary>
    public static async Task<string> RunScriptAsync(string name, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Root, "scripts", name));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
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
