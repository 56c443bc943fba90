using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Platform.Worker.Webhooks;

/// <summary>
/// The delivery loop. It fans new events out into deliveries made already claimed by this worker, as many as it has room
/// for, and claims due deliveries that nobody holds (retries, manual retries, leases run out, those a fan-out left
/// because they did not fit) ahead of its free slots, up to <see cref="WebhookDeliveryOptions.ClaimAhead"/> times the caps.
/// <see cref="WebhookHeldDeliveries"/> holds them and starts them, at most
/// <see cref="WebhookDeliveryOptions.MaxConcurrencyPerEndpoint"/> sending per webhook,
/// <see cref="WebhookDeliveryOptions.MaxInFlightPerTenant"/> per tenant and <see cref="WebhookDeliveryOptions.MaxInFlight"/>
/// in all, so a slow receiver never holds up another's deliveries. Each sender takes the next held delivery when its
/// attempt ends; the loop looks in the database again once a pool's worth of room is free, and only for what
/// <see cref="WebhookWakeUp"/> says may wait (events committed, deliveries made due, a webhook or tenant at its cap with
/// room again, or the poll interval passing), so at a low rate a finished attempt costs no statement. Due deliveries are
/// claimed before new events are fanned out, so a backlog of events never holds up retries; in a backlog of events two
/// fan-outs may be under way at once, each taking room of its own, so the senders do not wait out a statement.
/// Delivered attempts are written in batches by the recorder's writer, which this service runs and drains when it stops.
/// A failed pass is logged and the loop goes on; the poll interval looks again for everything.
/// </summary>
public sealed class WebhookDispatcher(
    WebhookDeliveryStore store, WebhookSender sender, WebhookAttemptRecorder recorder, WebhookWakeUp wakeUp,
    IOptions<WebhookDeliveryOptions> options, TimeProvider clock, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string SourceName = "Platform.Worker.Webhooks";
    private static readonly ActivitySource Source = new(SourceName);
    private readonly WebhookHeldDeliveries _held = new(options.Value, clock);

    // A fan-out may lease a webhook's new deliveries up to this many times the claim's share: webhooks finish unevenly,
    // and a row it leaves costs a claim (an update more, and a walk of the pending index). The sending caps still apply
    // to every held delivery, and the tenant's share is the claim's, so one tenant never holds more of the pool.
    private const int FanOutShare = 2;

    // In a backlog of events a second fan-out starts while one is under way, so the senders do not wait out a statement.
    private const int FanOutsInBacklog = 2;

    // The fan-outs under way, the room they took (not yet in what is held), and whether the last one took all it asked
    // for; only the loop starts them and prunes the list.
    private readonly List<Task> _fanOuts = [];
    private int _reserved;
    private volatile bool _eventsBacklog;

    // The senders running now; only the loop adds and prunes them.
    private readonly List<Task> _senders = [];

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
                await ((Task)wakeUp.WaitAsync(TimeSpan.FromMilliseconds(settings.PollIntervalMs), stoppingToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await Task.WhenAll(_fanOuts).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await ReleaseWaitingAsync();
        await Task.WhenAll(_senders).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        recorder.CompleteWriter();
        await writing;
    }

    /// <summary>
    /// One pass: starts what it holds and may send, then, when it has a pool's worth of room (or a slot free that no held
    /// delivery may take: theirs are the webhooks or tenants at their caps), claims if due deliveries may wait and fans
    /// out if events may. Returns how many deliveries it started, claimed or made.
    /// </summary>
    public async Task<int> PassAsync(WebhookDeliveryOptions settings, CancellationToken cancellationToken)
    {
        var found = StartHeld(cancellationToken);

        // Both are taken (not short-circuited): a capped webhook with room again is forgotten once a claim has looked.
        if (Room(settings) > 0 && (wakeUp.TakeDue() | _held.TakeCappedWithRoom()))
        {
            var room = Room(settings);
            var claimed = await store.ClaimAsync(room, _held.PerWebhook, _held.PerTenant, _held.Counts(), settings, cancellationToken);
            _held.Add(claimed);
            _held.NoteCapped(claimed, []);
            if (claimed.Count >= room)
            {
                wakeUp.DueMayWait();
            }

            found += claimed.Count + StartHeld(cancellationToken);
        }

        _fanOuts.RemoveAll(fanOut => fanOut.IsCompleted);
        while (_fanOuts.Count < (_eventsBacklog ? FanOutsInBacklog : 1) && Room(settings) > 0
            && (wakeUp.TakeEvents() || (_eventsBacklog && _fanOuts.Count > 0)))
        {
            var room = Room(settings);
            Interlocked.Add(ref _reserved, room);
            _fanOuts.Add(FanOutAsync(room, settings, cancellationToken));
            found++;
        }

        return found;
    }

    // Fans out up to <room> events into what this worker holds, then wakes the loop to start them.
    private async Task FanOutAsync(int room, WebhookDeliveryOptions settings, CancellationToken cancellationToken)
    {
        try
        {
            var fanned = await store.FanOutAsync(room, room, _held.PerWebhook * FanOutShare, _held.PerTenant, _held.Counts(), settings, cancellationToken);
            _held.Add(fanned.Leased);
            if (_held.NoteCapped([], fanned.Left))
            {
                wakeUp.DueMayWait();
            }

            _eventsBacklog = fanned.Events >= room;
            if (_eventsBacklog)
            {
                wakeUp.EventsMayWait();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _eventsBacklog = false;
            logger.LogError(ex, "Webhook fan-out failed");
        }
        finally
        {
            Interlocked.Add(ref _reserved, -room);
            wakeUp.SlotFreed();
        }
    }

    // The room to claim or fan out into, or 0 until a pool's worth is free (so the next statement is under way while the
    // held ones are sent) unless a slot is free that no held delivery may take.
    private int Room(WebhookDeliveryOptions settings)
    {
        var room = settings.MaxInFlight * settings.ClaimAhead - _held.Held - Volatile.Read(ref _reserved);
        return room >= settings.MaxInFlight || (room > 0 && _held.Sending < settings.MaxInFlight) ? room : 0;
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

