using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Platform.Tests.Support;

namespace Platform.Worker.Tests;

/// <summary>
/// The worker as a separate OS process (<c>dotnet Platform.Worker.dll</c> from this test's output, configured only
/// through environment variables, on a free loopback port), so a test can kill it for real.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    public const string SigningKey = "worker-process-test-signing-key-0123456789-abcdef";

    /// <summary>A cron expression that never fires (31 February): tests trigger jobs themselves.</summary>
    public const string Never = "0 0 31 2 *";

    private static readonly string[] Schedules = ["RefreshTokenCleanup", "InviteCleanup", "AuditArchival", "AuditArchiveRetention", "HealthRollup", "WebhookRetention"];

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http;

    private WorkerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the worker logged so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The settings every test worker needs: the database, the archive bucket, a signing key, no schedules firing.</summary>
    public static Dictionary<string, string> Settings(PlatformDatabase database, string s3ServiceUrl, string bucket)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__platformdb"] = database.AppConnectionString,
            ["Archive__ServiceUrl"] = s3ServiceUrl,
            ["Archive__Bucket"] = bucket,
            ["Archive__AccessKey"] = LocalS3.AccessKey,
            ["Archive__SecretKey"] = LocalS3.SecretKey,
            ["Runtime__Backend"] = "none",
            ["Jwt__SigningKey"] = SigningKey,
            ["DataProtection__Certificate"] = TestCertificates.DataProtectionPfxBase64,
        };
        foreach (var schedule in Schedules)
        {
            settings[$"Jobs__Schedules__{schedule}"] = Never;
        }

        return settings;
    }

    /// <summary>Starts the worker and waits until it answers on /health (whatever the status).</summary>
    public static async Task<WorkerProcess> StartAsync(IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var port = ServerProcess.FreeTcpPort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Platform.Worker.dll"));
        foreach (var inherited in new[] { "DOCKER_HOST", "OTEL_EXPORTER_OTLP_ENDPOINT", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" })
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var worker = new WorkerProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the worker."), port);
        try
        {
            await worker.WaitUntilAnsweringAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown, no clean-up; its sockets are closed by the kernel.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async Task<WorkerHealth> HealthAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var response = await _http.GetAsync("/health", cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new WorkerHealth(response.StatusCode, JsonDocument.Parse(body).RootElement.Clone(), body, watch.Elapsed);
    }

    /// <summary>Polls /health until <paramref name="condition"/> holds; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<WorkerHealth> WaitForHealthAsync(Func<WorkerHealth, bool> condition, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var health = await HealthAsync(cancellationToken);
            if (condition(health))
            {
                return health;
            }

            if (deadline.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:F0} s waiting for {what}; last /health: {(int)health.StatusCode} {health.Body}");
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    private async Task WaitUntilAnsweringAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The worker exited ({_process.ExitCode}) during start-up:\n{Output}");
            }

            try
            {
                using var response = await _http.GetAsync("/alive", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (deadline.Elapsed < timeout)
            {
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"The worker did not answer within {timeout.TotalSeconds:F0} s:\n{Output}");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

/// <summary>One /health answer: the status code and the body's overall status and per-check entries.</summary>
internal sealed record WorkerHealth(HttpStatusCode StatusCode, JsonElement Json, string Body, TimeSpan Elapsed)
{
    public string Status => Json.GetProperty("status").GetString()!;

    public string? CheckStatus(string name) =>
        Json.GetProperty("checks").TryGetProperty(name, out var check) ? check.GetProperty("status").GetString() : null;

    public string CheckDescription(string name) =>
        Json.GetProperty("checks").TryGetProperty(name, out var check) && check.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "";
}
