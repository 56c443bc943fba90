using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Platform.Worker.Webhooks;

/// <summary>
/// The delivery loop: fans new events out, claims due deliveries and sends each on its own task, at most
/// <see cref="WebhookDeliveryOptions.MaxConcurrencyPerEndpoint"/> per webhook, <see cref="WebhookDeliveryOptions.MaxInFlightPerTenant"/>
/// per tenant and <see cref="WebhookDeliveryOptions.MaxInFlight"/> in all, so a slow receiver never holds up another's
/// deliveries. Delivered attempts are written in batches by the recorder's writer, which this loop runs and drains when
/// it stops. Between passes it waits for a <see cref="WebhookWakeUp"/>
/// (an event's commit, a finished attempt) or the poll interval, whichever comes first. A failed pass is logged and the
/// loop goes on.
/// </summary>
public sealed class WebhookDispatcher(
    WebhookDeliveryStore store, WebhookSender sender, WebhookAttemptRecorder recorder, WebhookWakeUp wakeUp,
    IOptions<WebhookDeliveryOptions> options, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string SourceName = "Platform.Worker.Webhooks";
    private static readonly ActivitySource Source = new(SourceName);
    private readonly ConcurrentDictionary<Guid, (Guid Webhook, Guid Tenant, Task Sending)> _inFlight = new();

    // Set when the poll interval passed without a wake-up, or the last fan-out was full: fan out even if no NOTIFY came.
    private bool _fanOutAnyway = true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var writing = recorder.RunWriterAsync();
        while (!stoppingToken.IsCancellationRequested)
        {
            var found = 0;
            try
            {
                found = await PassAsync(settings, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Webhook delivery pass failed");
            }

            if (found == 0)
            {
                var woken = wakeUp.WaitAsync(TimeSpan.FromMilliseconds(settings.PollIntervalMs), stoppingToken);
                await ((Task)woken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                _fanOutAnyway |= woken.IsCompletedSuccessfully && !woken.Result;
            }
        }

        await Task.WhenAll(_inFlight.Values.Select(delivery => delivery.Sending)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        recorder.CompleteWriter();
        await writing;
    }

    /// <summary>
    /// One pass: returns how many events and deliveries it took on. It fans out only when events may be waiting (a NOTIFY,
    /// the poll, a full fan-out before): the wake-ups of finished attempts, most of them under a backlog, only claim.
    /// </summary>
    public async Task<int> PassAsync(WebhookDeliveryOptions settings, CancellationToken cancellationToken)
    {
        var dispatched = 0;
        if (wakeUp.TakeEventsMayWait() | _fanOutAnyway)
        {
            _fanOutAnyway = true;
            dispatched = await store.FanOutAsync(cancellationToken);
            _fanOutAnyway = dispatched >= WebhookDeliveryStore.FanOutBatch;
        }

        var room = settings.MaxInFlight - _inFlight.Count;
        if (room <= 0)
        {
            return dispatched;
        }

        var inFlight = new InFlightCounts(
            _inFlight.Values.CountBy(delivery => delivery.Webhook).ToDictionary(),
            _inFlight.Values.CountBy(delivery => delivery.Tenant).ToDictionary());
        var claimed = await store.ClaimAsync(
            room, settings.MaxConcurrencyPerEndpoint, settings.MaxInFlightPerTenant, inFlight, settings, cancellationToken);
        foreach (var delivery in claimed)
        {
            var id = delivery.Delivery.Id;
            // Entered before it starts, so that its own removal when it ends can never come first.
            var sending = new Task<Task>(() => DeliverAsync(delivery, cancellationToken), CancellationToken.None);
            _inFlight[id] = (delivery.Webhook.Id, delivery.Delivery.TenantId ?? InFlightCounts.PlatformWide, sending.Unwrap());
            sending.Start(TaskScheduler.Default);
        }

        return dispatched + claimed.Count;
    }

    private async Task DeliverAsync(ClaimedDelivery claimed, CancellationToken cancellationToken)
    {
        var id = claimed.Delivery.Id;
        var parent = ActivityContext.TryParse(claimed.Event.TraceParent, null, out var context) ? context : default;
        using var span = Source.StartActivity("webhook delivery", ActivityKind.Consumer, parent,
            links: parent == default ? null : [new ActivityLink(parent)]);
        span?.SetTag("webhook.id", claimed.Webhook.Id.ToString());
        span?.SetTag("webhook.event_type", claimed.Event.Type);
        try
        {
            var outcome = claimed.Webhook.Enabled
                ? await sender.SendAsync(claimed, cancellationToken)
                : new AttemptOutcome(null, TimeSpan.Zero, null, "The endpoint is disabled.", Refused: true);
            span?.SetTag("http.response.status_code", outcome.StatusCode);
            if (!outcome.Delivered)
            {
                span?.SetStatus(ActivityStatusCode.Error, outcome.Error);
            }

            await recorder.RecordAsync(claimed, outcome, CancellationToken.None);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The claim's lease brings the delivery back for another attempt.
            logger.LogError(ex, "Webhook delivery {DeliveryId} failed unexpectedly", id);
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
        }
        finally
        {
            _inFlight.TryRemove(id, out _);
            wakeUp.SlotFreed();
        }
    }
}
