namespace Platform.Bench;

/// <summary>A Release-published app started as its own process on a free loopback port, ready when /health answers 2xx.</summary>
public sealed class ReleaseProcess : IAsyncDisposable
{
    private static readonly SemaphoreSlim PublishLock = new(1, 1);
    private static readonly HashSet<string> Published = [];
    private readonly Process _process;

    private ReleaseProcess(Process process, int port, TimeSpan startup, double startupCpuSeconds) =>
        (_process, BaseAddress, Startup, StartupCpuSeconds) = (process, new Uri($"http://127.0.0.1:{port}"), startup, startupCpuSeconds);

    public Uri BaseAddress { get; }

    public TimeSpan Startup { get; }

    /// <summary>CPU time (user + system, every thread) the process had used when it first answered healthy.</summary>
    public double StartupCpuSeconds { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>CPU time (user + system, every thread) the process has used so far.</summary>
    public double CpuSeconds => ProcStat.CpuSeconds(_process.Id);
    public long RssBytes => ProcStat.RssBytes(_process.Id);
    public int Handles => ProcStat.OpenFiles(_process.Id);

    /// <param name="outputLog">A file that receives the app's output (its logs); without one its stdout is dropped and its stderr is the bench's.</param>
    public static async Task<ReleaseProcess> StartAsync(string project, string dll, IDictionary<string, string> environment, string? outputLog = null)
    {
        var output = await PublishAsync(project);
        var port = ServerProcess.FreeTcpPort();

        // exec: the process this run starts, stops and measures is the app itself, with its output redirected by the shell.
        var redirect = outputLog is null ? ">/dev/null" : ">>\"$BENCH_APP_LOG\" 2>&1";
        var start = new ProcessStartInfo("sh", ["-c", $"exec \"$@\" {redirect}", "sh", "dotnet", Path.Combine(output, dll), "--urls", $"http://127.0.0.1:{port}"]);
        start.Environment["BENCH_APP_LOG"] = outputLog ?? "";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var watch = Stopwatch.StartNew();
        var process = new ReleaseProcess(Process.Start(start)!, port, default, 0);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (watch.Elapsed < TimeSpan.FromMinutes(1) && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(process.BaseAddress, "/health"));
                if (response.IsSuccessStatusCode)
                    return new ReleaseProcess(process._process, port, watch.Elapsed, ProcStat.CpuSeconds(process._process.Id));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(20);
        }

        await process.DisposeAsync();
        throw new InvalidOperationException($"{dll} did not answer /health successfully");
    }

    /// <summary>Ends the app now (its CPU and connections are gone before the next step); disposing it later is harmless.</summary>
    public void Stop()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Exited already, or disposed.
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<string> PublishAsync(string project)
    {
        var output = Path.Combine(Repository.Root, "bench", ".out", Path.GetFileName(project));
        await PublishLock.WaitAsync();
        try
        {
            if (Published.Add(project))
            {
                Console.WriteLine($"Publishing {project} (Release) ...");
                // For this machine's runtime, as a container image is published: that is what turns ReadyToRun on.
                await Tools.RunAsync("dotnet", ["publish", Path.Combine(Repository.Root, project), "-c", "Release",
                    "-r", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "--self-contained", "false", "-o", output, "--nologo", "-v", "q"]);
            }

            return output;
        }
        finally
        {
            PublishLock.Release();
        }
    }
}
