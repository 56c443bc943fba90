using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Data.Entities;
using Platform.Worker.Containers;

namespace Platform.Worker.Webhooks;

/// <summary>
/// Records an attempt and decides what follows: delivered on a 2xx; on 410 Gone the endpoint is disabled; otherwise the
/// next attempt after the schedule's (jittered) wait or the receiver's Retry-After, whichever is later, and failed once the
/// schedule is spent. An endpoint that has failed everything for the configured time is disabled with one alert.
/// Delivered attempts, nearly all of them, go through a bounded queue to one writer that records whatever has gathered
/// in one statement: a delivery is delivered only once that statement commits, and one whose batch is lost (a crash, a
/// failed write) comes back when its claim's lease ends and is sent again (at least once; the event id is the receivers'
/// idempotency key). A full queue holds the sender's slot, so the claims slow down to what the writer keeps up with.
/// Failed attempts, which carry the retry and disabling decisions, are recorded one by one.
/// </summary>
public sealed class WebhookAttemptRecorder(
    WebhookDeliveryStore store, AlertStore alerts, IOptions<WebhookDeliveryOptions> options, TimeProvider clock, IMeterFactory meters,
    ILogger<WebhookAttemptRecorder> logger)
{
    public const string MeterName = "Platform.Worker.Webhooks";
    private const int ErrorMax = 500;
    private readonly Meter _meter = meters.Create(MeterName);
    private Counter<long>? _attempts;
    private Counter<long>? _failures;
    private Histogram<double>? _latency;

    private Counter<long> Attempts => _attempts ??= _meter.CreateCounter<long>("platform.webhooks.attempts", description: "Webhook delivery attempts, by outcome.");

    private Counter<long> Failures => _failures ??= _meter.CreateCounter<long>("platform.webhooks.failures",
        description: "Failed webhook attempts, by outcome (failed, refused) and whether the delivery gave up (final).");

    private Histogram<double> Latency => _latency ??= _meter.CreateHistogram<double>("platform.webhooks.latency", "ms", "Webhook attempt latency.");

    private readonly Channel<DeliveredAttempt> _delivered = Channel.CreateBounded<DeliveredAttempt>(
        new BoundedChannelOptions(options.Value.RecordBatchSize) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public async Task RecordAsync(ClaimedDelivery claimed, AttemptOutcome outcome, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (outcome.Delivered)
        {
            await _delivered.Writer.WriteAsync(
                new DeliveredAttempt(claimed.Id, outcome.StatusCode!.Value, outcome.Latency, now), cancellationToken);
            return;
        }

        var final = await RecordFailureAsync(claimed, outcome, now, cancellationToken);
        var result = outcome.Refused ? "refused" : "failed";
        Attempts.Add(1, new KeyValuePair<string, object?>("outcome", result));
        Latency.Record(outcome.Latency.TotalMilliseconds, new KeyValuePair<string, object?>("outcome", result));
        Failures.Add(1, new KeyValuePair<string, object?>("outcome", result), new KeyValuePair<string, object?>("final", final));
    }

    /// <summary>Writes the queued delivered attempts in batches until <see cref="CompleteWriter"/> and the queue is empty.</summary>
    public async Task RunWriterAsync()
    {
        var batchSize = options.Value.RecordBatchSize;
        var batch = new List<DeliveredAttempt>(batchSize);
        while (await _delivered.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < batchSize && _delivered.Reader.TryRead(out var attempt))
            {
                batch.Add(attempt);
            }

            try
            {
                await store.MarkDeliveredAsync(batch, CancellationToken.None);
                foreach (var attempt in batch)
                {
                    Attempts.Add(1, new KeyValuePair<string, object?>("outcome", "delivered"));
                    Latency.Record(attempt.Latency.TotalMilliseconds, new KeyValuePair<string, object?>("outcome", "delivered"));
                }
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Recording {Count} delivered webhook attempts failed; their leases bring them back to be sent again", batch.Count);
            }
        }
    }

    /// <summary>No more attempts will be queued: the writer ends once it has written what is queued.</summary>
    public void CompleteWriter() => _delivered.Writer.TryComplete();

    /// <summary>Records a failed attempt and what follows it; whether the delivery gave up.</summary>
    private async Task<bool> RecordFailureAsync(ClaimedDelivery claimed, AttemptOutcome outcome, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var db = store.OpenForRecording();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == claimed.Id, cancellationToken);
        var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == claimed.Webhook.Id, cancellationToken);
        if (delivery is null || webhook is null)
        {
            return false;
        }

        var error = outcome.Error is { Length: > ErrorMax } long_ ? long_[..ErrorMax] : outcome.Error;
        delivery.AttemptCount++;
        delivery.LastStatusCode = outcome.StatusCode;
        delivery.LastLatencyMs = (int)outcome.Latency.TotalMilliseconds;
        delivery.LastError = error;
        delivery.UpdatedAt = now;
        db.WebhookAttempts.Add(new WebhookAttempt
        {
            TenantId = delivery.TenantId, DeliveryId = delivery.Id, StatusCode = outcome.StatusCode,
            LatencyMs = delivery.LastLatencyMs.Value, Error = error, AttemptedAt = now,
        });

        if (outcome.Gone)
        {
            delivery.State = WebhookDeliveryState.Failed;
            delivery.NextAttemptAt = null;
            Disable(webhook, "gone", now);
        }
        else
        {
            webhook.FailingSince ??= now;
            var delays = settings.RetryDelaysSeconds;
            if (delivery.AttemptCount > delays.Length || !webhook.Enabled)
            {
                delivery.State = WebhookDeliveryState.Failed;
                delivery.NextAttemptAt = null;
            }
            else
            {
                var wait = TimeSpan.FromSeconds(delays[delivery.AttemptCount - 1] * (1 + ((Random.Shared.NextDouble() * 2) - 1) * settings.Jitter));
                delivery.NextAttemptAt = now + (outcome.RetryAfter is { } after && after > wait ? after : wait);
            }

            if (webhook.Enabled && now - webhook.FailingSince >= TimeSpan.FromSeconds(settings.DisableAfterFailingSeconds))
            {
                Disable(webhook, "failing", now);
                await alerts.OpenAsync(db, new AlertDraft(
                    webhook.TenantId, null, null, "webhook_disabled", AlertSeverity.Warning, "Webhook disabled",
                    $"The webhook to {webhook.Url} failed every delivery since {webhook.FailingSince:u} and was disabled.",
                    $"webhook_disabled:{webhook.Id}"), cancellationToken);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return delivery.State == WebhookDeliveryState.Failed;
    }

    private static void Disable(Webhook webhook, string reason, DateTimeOffset now)
    {
        webhook.Enabled = false;
        webhook.DisabledReason = reason;
        webhook.UpdatedAt = now;
    }
}
