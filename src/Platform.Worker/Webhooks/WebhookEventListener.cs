using Npgsql;

namespace Platform.Worker.Webhooks;

/// <summary>
/// Keeps one connection of its own LISTENing on <see cref="WebhookWakeUp.Channel"/> and turns each notification into a
/// wake-up of the delivery loop, so an event is sent at its commit rather than at the next poll. A lost connection (a
/// PostgreSQL restart, a terminated backend, a network cut) is logged and opened again with a growing back-off; each
/// time it is listening again the loop is woken once, for the events committed while nobody listened. The poll stays
/// the safety net: a notification is only a hint, the rows are the truth.
/// </summary>
public sealed partial class WebhookEventListener(string connectionString, WebhookWakeUp wakeUp, ILogger<WebhookEventListener> logger) : BackgroundService
{
    /// <summary>How the connection shows in <c>pg_stat_activity</c>.</summary>
    public const string ApplicationName = "platform-webhook-listener";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    // Its own unpooled connection: a pooled one would be reset (UNLISTEN) when returned. The keepalive makes a silently
    // dropped connection fail within a bounded time while it only waits.
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
    {
        Pooling = false, ApplicationName = ApplicationName, KeepAlive = 15, TcpKeepAlive = true,
    }.ConnectionString;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                connection.Notification += (_, e) => wakeUp.Notified(e.Payload);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {WebhookWakeUp.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                if (failures > 0)
                {
                    LogListeningAgain(logger, failures);
                }

                retry = FirstRetry;
                failures = 0;
                wakeUp.Set();
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                LogLost(logger, ex, retry.TotalSeconds);
                await Task.Delay(retry, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The webhook wake-up connection failed; deliveries fall back on the poll until it listens again, in {RetrySeconds} s")]
    private static partial void LogLost(ILogger logger, Exception exception, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The webhook wake-up connection listens again, after {Failures} failures")]
    private static partial void LogListeningAgain(ILogger logger, int failures);
}
