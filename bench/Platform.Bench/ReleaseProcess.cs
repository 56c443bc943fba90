using System.Diagnostics;

namespace Platform.Bench;

/// <summary>A Release-published app started as its own process on a free loopback port, ready when /health (or /) answers.</summary>
public sealed class ReleaseProcess : IAsyncDisposable
{
    private static readonly SemaphoreSlim PublishLock = new(1, 1);
    private static readonly HashSet<string> Published = [];
    private readonly Process _process;

    private ReleaseProcess(Process process, int port, TimeSpan startup)
    {
        _process = process;
        Port = port;
        Startup = startup;
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>From process start to the first successful health answer.</summary>
    public TimeSpan Startup { get; }

    public int ProcessId => _process.Id;

    /// <summary>Resident set size, from /proc.</summary>
    public long RssBytes
    {
        get
        {
            var status = File.ReadAllLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
    }

    public static async Task<ReleaseProcess> StartAsync(string project, string dll, IDictionary<string, string> environment)
    {
        var output = await PublishAsync(project);
        var port = Platform.Tests.Support.ServerProcess.FreeTcpPort();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(output, dll));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var watch = Stopwatch.StartNew();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"[{dll}] {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            try
            {
                var probe = dll.StartsWith("Platform", StringComparison.Ordinal) ? "/health" : "/";
                using var response = await http.GetAsync($"http://127.0.0.1:{port}{probe}");
                if (response.IsSuccessStatusCode)
                {
                    return new ReleaseProcess(process, port, watch.Elapsed);
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
            }
            catch (TaskCanceledException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{dll} did not become healthy");
            }

            await Task.Delay(20);
        }
    }

    private static async Task<string> PublishAsync(string project)
    {
        var output = Path.Combine(BenchEnvironment.RepositoryRoot, "bench", ".out", Path.GetFileName(project));
        await PublishLock.WaitAsync();
        try
        {
            if (Published.Add(project))
            {
                Console.WriteLine($"Publishing {project} (Release) ...");
                await Tools.RunAsync("dotnet", ["publish", Path.Combine(BenchEnvironment.RepositoryRoot, project), "-c", "Release", "-o", output, "--nologo", "-v", "q"]);
            }

            return output;
        }
        finally
        {
            PublishLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
