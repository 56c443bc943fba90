using System.Diagnostics;

namespace Platform.Bench;

/// <summary>A Release-published app started as its own process on a free loopback port, ready when /health (or /) answers.</summary>
public sealed class ReleaseProcess : IAsyncDisposable
{
    private static readonly SemaphoreSlim PublishLock = new(1, 1);
    private static readonly HashSet<string> Published = [];
    private readonly Process _process;
    private readonly StreamWriter? _outputLog;
    private int _disposed;

    private ReleaseProcess(Process process, int port, TimeSpan startup, TimeSpan? alive, StreamWriter? outputLog)
    {
        _process = process;
        Port = port;
        Startup = startup;
        Alive = alive;
        _outputLog = outputLog;
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>From process start to the first successful health answer.</summary>
    public TimeSpan Startup { get; }

    /// <summary>From process start to the first successful /alive answer (liveness only); null for apps without /alive.</summary>
    public TimeSpan? Alive { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Resident set size, from /proc.</summary>
    public long RssBytes
    {
        get
        {
            var status = File.ReadAllLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
    }

    /// <param name="outputLog">A file that receives the app's stdout and stderr (its logs); stdout is discarded without one.</param>
    public static async Task<ReleaseProcess> StartAsync(string project, string dll, IDictionary<string, string> environment, string? outputLog = null)
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

        var log = outputLog is null ? null : new StreamWriter(outputLog, append: true) { AutoFlush = true };
        var watch = Stopwatch.StartNew();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"[{dll}] {e.Data}");
                Write(log, e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            // Platform apps answer /alive (liveness) before /health (their dependencies): both times are kept.
            var platformApp = dll.StartsWith("Platform", StringComparison.Ordinal);
            TimeSpan? alive = platformApp ? await WaitForAsync(process, port, "/alive", dll, watch) : null;
            var healthy = await WaitForAsync(process, port, platformApp ? "/health" : "/", dll, watch);
            return new ReleaseProcess(process, port, healthy, alive, log);
        }
        catch
        {
            Kill(process);
            process.Dispose();
            log?.Dispose();
            throw;
        }
    }

    private static async Task<TimeSpan> WaitForAsync(Process process, int port, string path, string dll, Stopwatch watch)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}{path}");
                if (response.IsSuccessStatusCode)
                {
                    return watch.Elapsed;
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
                throw new InvalidOperationException($"{dll} did not answer {path} successfully");
            }

            await Task.Delay(20);
        }
    }

    private static void Write(StreamWriter? log, string? line)
    {
        if (log is null || line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // A last line after the process was disposed.
            }
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
                // For this machine's runtime, as a container image is published: that is what turns ReadyToRun on.
                await Tools.RunAsync("dotnet", ["publish", Path.Combine(BenchEnvironment.RepositoryRoot, project), "-c", "Release",
                    "-r", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "--self-contained", "false", "-o", output, "--nologo", "-v", "q"]);
            }

            return output;
        }
        finally
        {
            PublishLock.Release();
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    /// <summary>Kills the app if it still runs; safe to call more than once (scenarios stop processes early, the environment disposes them again).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }

        _process.Dispose();
        if (_outputLog is not null)
        {
            lock (_outputLog)
            {
                _outputLog.Dispose();
            }
        }
    }
}
