using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Data.Entities;
using Platform.Worker.Containers;

namespace Platform.Worker.Webhooks;

/// <summary>
/// Records an attempt and decides what follows: delivered on a 2xx; on 410 Gone the endpoint is disabled; otherwise the
/// next attempt after the schedule's (jittered) wait or the receiver's Retry-After, whichever is later, and failed once the
/// schedule is spent. An endpoint that has failed everything for the configured time is disabled with one alert.
/// </summary>
public sealed class WebhookAttemptRecorder(
    WebhookDeliveryStore store, AlertStore alerts, IOptions<WebhookDeliveryOptions> options, TimeProvider clock, IMeterFactory meters)
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

    public async Task RecordAsync(ClaimedDelivery claimed, AttemptOutcome outcome, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        await using var db = store.OpenForRecording();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == claimed.Delivery.Id, cancellationToken);
        var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == claimed.Webhook.Id, cancellationToken);
        if (delivery is null || webhook is null)
        {
            return;
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

        if (outcome.Delivered)
        {
            delivery.State = WebhookDeliveryState.Delivered;
            delivery.NextAttemptAt = null;
            webhook.FailingSince = null;
        }
        else if (outcome.Gone)
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

        var result = outcome.Delivered ? "delivered" : outcome.Refused ? "refused" : "failed";
        Attempts.Add(1, new KeyValuePair<string, object?>("outcome", result));
        Latency.Record(outcome.Latency.TotalMilliseconds, new KeyValuePair<string, object?>("outcome", result));
        if (!outcome.Delivered)
        {
            Failures.Add(1, new KeyValuePair<string, object?>("outcome", result),
                new KeyValuePair<string, object?>("final", delivery.State == WebhookDeliveryState.Failed));
        }
    }

    private static void Disable(Webhook webhook, string reason, DateTimeOffset now)
    {
        webhook.Enabled = false;
        webhook.DisabledReason = reason;
        webhook.UpdatedAt = now;
    }
}
