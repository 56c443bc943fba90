using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Platform.Data.Hosting;
using Platform.Tests.Support;

namespace Platform.Api.Tests;

/// <summary>The data layer warms up beside the host's start, and a failure to warm never stops the host.</summary>
public sealed class DataWarmupTests(ApiFixture fixture)
{
    [Fact]
    public async Task The_warmup_opens_a_connection_of_the_pool_before_any_request()
    {
        var applicationName = "warmup-" + Guid.NewGuid().ToString("N");
        var connectionString = new NpgsqlConnectionStringBuilder(fixture.Database.AppConnectionString) { ApplicationName = applicationName }.ConnectionString;
        var (host, logs) = Build(connectionString);
        using (host)
        {
            await host.StartAsync(Http.Ct);
            await host.Services.GetServices<IHostedService>().OfType<DataWarmup>().Single().Completion.WaitAsync(TimeSpan.FromSeconds(30), Http.Ct);

            Assert.DoesNotContain(logs, entry => entry.Level >= LogLevel.Warning);
            Assert.True(await IdleConnectionsNamedAsync(applicationName) > 0, "the warm-up left no pooled connection open");
            await host.StopAsync(Http.Ct);
        }
    }

    [Fact]
    public async Task A_database_that_does_not_answer_is_logged_and_the_host_still_starts_and_stops()
    {
        var closedPort = ServerProcess.FreeTcpPort();
        var (host, logs) = Build($"Host=127.0.0.1;Port={closedPort};Database=platform;Username=platform_app;Password=unused;Timeout=2");
        using (host)
        {
            await host.StartAsync(Http.Ct);
            await host.Services.GetServices<IHostedService>().OfType<DataWarmup>().Single().Completion.WaitAsync(TimeSpan.FromSeconds(30), Http.Ct);

            Assert.Contains(logs, entry => entry.Level == LogLevel.Warning && entry.Category == typeof(DataWarmup).FullName);
            await host.StopAsync(Http.Ct);
        }
    }

    private static (IHost Host, ConcurrentQueue<LogEntry> Logs) Build(string connectionString)
    {
        var logs = new ConcurrentQueue<LogEntry>();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:platformdb"] = connectionString });
        builder.Logging.AddProvider(new CollectingLoggerProvider(logs));
        builder.AddPlatformData(exportsTelemetry: false, sessionStateFree: true);
        return (builder.Build(), logs);
    }

    private async Task<long> IdleConnectionsNamedAsync(string applicationName)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = @name", connection);
        count.Parameters.AddWithValue("name", applicationName);
        return (long)(await count.ExecuteScalarAsync(Http.Ct))!;
    }

    private sealed record LogEntry(string Category, LogLevel Level);

    private sealed class CollectingLoggerProvider(ConcurrentQueue<LogEntry> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Collecting(categoryName, logs);

        public void Dispose()
        {
        }

        private sealed class Collecting(string category, ConcurrentQueue<LogEntry> logs) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                logs.Enqueue(new LogEntry(category, logLevel));
        }
    }
}
