using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Platform.Worker.Webhooks;

/// <summary>
/// The delivery loops. One fans new events out into deliveries, on its own so a large backlog of events never holds up
/// the claims. The other claims due deliveries ahead of its free slots (up to
/// <see cref="WebhookDeliveryOptions.ClaimAhead"/> times the caps), which <see cref="WebhookHeldDeliveries"/> holds and
/// starts, at most <see cref="WebhookDeliveryOptions.MaxConcurrencyPerEndpoint"/> sending per webhook,
/// <see cref="WebhookDeliveryOptions.MaxInFlightPerTenant"/> per tenant and <see cref="WebhookDeliveryOptions.MaxInFlight"/>
/// in all, so a slow receiver never holds up another's deliveries. Each sender takes the next held delivery when its
/// attempt ends; the loop claims again once a pool's worth of room is free. Delivered attempts are written in batches by
/// the recorder's writer, which this service runs and drains when it stops. Between passes each loop waits for a
/// <see cref="WebhookWakeUp"/> (an event's commit; for the claims also a finished attempt or a fan-out) or the poll
/// interval, whichever comes first. A failed pass is logged and the loop goes on.
/// </summary>
public sealed class WebhookDispatcher(
    WebhookDeliveryStore store, WebhookSender sender, WebhookAttemptRecorder recorder, WebhookWakeUp wakeUp,
    IOptions<WebhookDeliveryOptions> options, TimeProvider clock, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string SourceName = "Platform.Worker.Webhooks";
    private static readonly ActivitySource Source = new(SourceName);
    private readonly WebhookHeldDeliveries _held = new(options.Value, clock);

    // The senders running now; only the loop adds and prunes them.
    private readonly List<Task> _senders = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var writing = recorder.RunWriterAsync();
        var fanningOut = FanOutLoopAsync(settings, stoppingToken);
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
                await ((Task)wakeUp.WaitAsync(TimeSpan.FromMilliseconds(settings.PollIntervalMs), stoppingToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await fanningOut;
        await ReleaseWaitingAsync();
        await Task.WhenAll(_senders).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        recorder.CompleteWriter();
        await writing;
    }

    /// <summary>
    /// One pass of the claims: returns how many deliveries it started or claimed. It claims once a pool's worth of room
    /// is free (so the next claim is under way while the held ones are sent), or when a slot is free that no waiting
    /// delivery may take (theirs are the webhooks or tenants at their caps).
    /// </summary>
    public async Task<int> PassAsync(WebhookDeliveryOptions settings, CancellationToken cancellationToken)
    {
        var started = StartHeld(cancellationToken);

        var claimed = 0;
        var room = settings.MaxInFlight * settings.ClaimAhead - _held.Held;
        if (room >= settings.MaxInFlight || (room > 0 && _held.Sending < settings.MaxInFlight))
        {
            var deliveries = await store.ClaimAsync(room, settings.MaxConcurrencyPerEndpoint * settings.ClaimAhead,
                settings.MaxInFlightPerTenant * settings.ClaimAhead, _held.Counts(), settings, cancellationToken);
            _held.Add(deliveries);
            claimed = deliveries.Count;
            started += StartHeld(cancellationToken);
        }

        return claimed + started;
    }

    // Fans events out at start, after each wake-up (a NOTIFY, the listener's return) or poll interval, and again at once
    // after a full fan-out; wakes the claims when it made deliveries.
    private async Task FanOutLoopAsync(WebhookDeliveryOptions settings, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var full = false;
            try
            {
                var dispatched = await store.FanOutAsync(stoppingToken);
                full = dispatched >= WebhookDeliveryStore.FanOutBatch;
                if (dispatched > 0)
                {
                    wakeUp.SlotFreed();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Webhook fan-out failed");
            }

            if (!full)
            {
                await ((Task)wakeUp.WaitForEventsAsync(TimeSpan.FromMilliseconds(settings.PollIntervalMs), stoppingToken))
                    .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private int StartHeld(CancellationToken cancellationToken)
    {
        _senders.RemoveAll(sending => sending.IsCompleted);
        var started = 0;
        while (_held.TryStart(out var delivery))
        {
            var first = delivery;
            _senders.Add(Task.Run(() => SendAsync(first, cancellationToken), CancellationToken.None));
            started++;
        }

        return started;
    }

    // Sends one delivery, then the next held one that may go, until none may.
    private async Task SendAsync(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        var next = delivery;
        do
        {
            try
            {
                await DeliverAsync(next, cancellationToken);
            }
            finally
            {
                _held.Finished(next);
                wakeUp.SlotFreed();
            }
        }
        while (!cancellationToken.IsCancellationRequested && _held.TryStart(out next));
    }

    private async Task DeliverAsync(ClaimedDelivery claimed, CancellationToken cancellationToken)
    {
        var parent = ActivityContext.TryParse(claimed.TraceParent, null, out var context) ? context : default;
        using var span = Source.StartActivity("webhook delivery", ActivityKind.Consumer, parent,
            links: parent == default ? null : [new ActivityLink(parent)]);
        span?.SetTag("webhook.id", claimed.Webhook.Id.ToString());
        span?.SetTag("webhook.event_type", claimed.EventType);
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
            logger.LogError(ex, "Webhook delivery {DeliveryId} failed unexpectedly", claimed.Id);
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
        }
    }

    // Held deliveries never started go back now rather than when their leases end.
    private async Task ReleaseWaitingAsync()
    {
        var waiting = _held.TakeWaiting();
        if (waiting.Count == 0)
        {
            return;
        }

        try
        {
            await store.ReleaseAsync(waiting, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Giving back {Count} held webhook deliveries failed; they come back when their leases end", waiting.Count);
        }
    }
}

