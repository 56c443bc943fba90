using Hangfire;
using Hangfire.Logging;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Platform.Tests.Support;

namespace Platform.Worker.Tests;

/// <summary>
/// The real worker (Hangfire server, loops, endpoints) in this process on Kestrel on a loopback port, configured like
/// <see cref="WorkerProcess"/>, with its telemetry pipeline on and every exported span kept by <see cref="Spans"/>.
/// In process so the spans can be read; the OTLP endpoint is a closed port, so nothing leaves the machine.
/// </summary>
internal sealed class InProcessWorker : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string> _settings;

    public InProcessWorker(IReadOnlyDictionary<string, string> settings)
    {
        _settings = settings;
        Port = ServerProcess.FreeTcpPort();
        UseKestrel(Port);
        StartServer();
    }

    public int Port { get; }

    public SpanRecorder Spans { get; } = new();

    public HttpClient Client() => new() { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key.Replace("__", ":", StringComparison.Ordinal), value);
        }

        builder.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", $"http://127.0.0.1:{ServerProcess.FreeTcpPort()}");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureTestServices(Spans.AddTo);
    }

    public override async ValueTask DisposeAsync()
    {
        ForgetHangfireGlobals();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        ForgetHangfireGlobals();
        base.Dispose(disposing);
        if (disposing)
        {
            Spans.Dispose();
        }
    }

    /// <summary>
    /// Hangfire's set-up writes process-wide defaults: a log provider over this host's logger factory and a job activator
    /// over its services. Both go before the host does, so other tests' Hangfire clients in this process do not reach a
    /// disposed logger factory.
    /// </summary>
    private static void ForgetHangfireGlobals()
    {
        LogProvider.SetCurrentLogProvider(null);
        JobActivator.Current = new JobActivator();
    }
}
