using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.Api.Tests;

/// <summary>Streams end by themselves after Streams:MaxDurationSeconds, and tickets never reach a log or a trace.</summary>
public sealed class StreamLimitsTests(ApiFixture fixture)
{
    private const string Stream = "/api/v1/activities/stream";

    [Fact]
    public async Task The_server_ends_a_stream_cleanly_after_its_maximum_duration()
    {
        await using var api = new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString,
            new Dictionary<string, string?> { ["Streams:MaxDurationSeconds"] = "2" });
        var admin = await new Scenario(new OwnApiHost(api, fixture.OwnerConnectionString)).SignUpAsync();

        await using var feed = await SseClient.ConnectAsync(api.Client(admin.AccessToken), Stream);
        Assert.Equal("ready", (await feed.NextAsync()).Type);
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<EndOfStreamException>(() => feed.NextAsync(TimeSpan.FromSeconds(20)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Tickets_appear_in_no_log_line_and_no_trace()
    {
        var logs = new LogCapture();
        var spans = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => spans.Enqueue(
                activity.DisplayName + " " + string.Join(" ", activity.TagObjects.Select(t => $"{t.Key}={t.Value}"))),
        };
        ActivitySource.AddActivityListener(listener);

        // Everything logged, and the OpenTelemetry instrumentation on (it exports to a port nobody listens on).
        await using var api = new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString,
            new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Platform"] = "Trace",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{Platform.Tests.Support.ServerProcess.FreeTcpPort()}",
            },
            services: s => s.AddSingleton<ILoggerProvider>(logs));
        var admin = await new Scenario(new OwnApiHost(api, fixture.OwnerConnectionString)).SignUpAsync();

        var used = (await api.Client(admin.AccessToken).PostAsync("/api/v1/streams/tickets", new { }).ExpectAsync(HttpStatusCode.OK)).Str("ticket");
        await using (var feed = await SseClient.ConnectAsync(api.Client(), $"{Stream}?ticket={used}"))
        {
            Assert.Equal("ready", (await feed.NextAsync()).Type);
        }

        await api.Client().GetAsync($"{Stream}?ticket={used}", Http.Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_ticket");
        var misplaced = (await api.Client(admin.AccessToken).PostAsync("/api/v1/streams/tickets", new { }).ExpectAsync(HttpStatusCode.OK)).Str("ticket");
        await api.Client().GetAsync($"/api/v1/agents?ticket={misplaced}", Http.Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_ticket");

        // The records exist (redacted), so the check below looks at what would have leaked.
        var deadline = Stopwatch.StartNew();
        while (!spans.Any(s => s.Contains("ticket=redacted", StringComparison.OrdinalIgnoreCase)) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50, Http.Ct);
        }

        Assert.True(spans.Any(s => s.Contains("url.query=?ticket=redacted", StringComparison.OrdinalIgnoreCase)), string.Join("\n", spans));
        Assert.Contains(logs.Lines, l => l.Contains("ticket=redacted", StringComparison.Ordinal));
        foreach (var ticket in new[] { used, misplaced })
        {
            Assert.DoesNotContain(logs.Lines, l => l.Contains(ticket, StringComparison.Ordinal));
            Assert.DoesNotContain(spans, s => s.Contains(ticket, StringComparison.Ordinal));
        }
    }


    /// <summary>Every log line the API writes, message and exception, with the scopes it was written in.</summary>
    private sealed class LogCapture : ILoggerProvider, ILogger
    {
        private readonly AsyncLocal<string?> _scope = new();

        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable BeginScope<TState>(TState state) where TState : notnull
        {
            var outer = _scope.Value;
            _scope.Value = outer + " | " + state;
            return new Restore(() => _scope.Value = outer);
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue($"{formatter(state, exception)} {exception} {_scope.Value}");

        public void Dispose()
        {
        }

        private sealed class Restore(Action restore) : IDisposable
        {
            public void Dispose() => restore();
        }
    }
}
