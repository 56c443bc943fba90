using System.Threading.Channels;

namespace Platform.Worker.Webhooks;

/// <summary>
/// What wakes the delivery loop before its poll interval, and what it should look for when it wakes. A NOTIFY carries the
/// table whose commit sent it: an event (fan it out) or a delivery made due (a manual retry, a release: claim); a LISTEN
/// connection that came back, or the poll interval passing, looks for both. A finished attempt only wakes the loop to
/// start what it holds: it looks in the database only when something says rows may be waiting, so a worker at a low rate
/// does not claim after every attempt.
/// </summary>
public sealed class WebhookWakeUp
{
    /// <summary>The channel the schema's triggers notify (<c>webhook_wake_up()</c> in the migrator's hand-written SQL).</summary>
    public const string Channel = "webhook_events";

    /// <summary>The payload of a notification from the events table (the trigger sends its table's name).</summary>
    public const string EventsPayload = "webhook_events";

    /// <summary>The payload of a notification from the deliveries table.</summary>
    public const string DeliveriesPayload = "webhook_deliveries";

    // Any number of wake-ups before the loop waits count as one; the flags say what to look for (1: look). Both are set at
    // start, for what was committed while no worker ran.
    private readonly Channel<bool> _signal = System.Threading.Channels.Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private int _events = 1;
    private int _due = 1;

    /// <summary>Something may have been committed while the listener was away: look for events and due deliveries.</summary>
    public void Set()
    {
        Volatile.Write(ref _events, 1);
        Volatile.Write(ref _due, 1);
        _signal.Writer.TryWrite(true);
    }

    /// <summary>A notification with its payload: events, due deliveries, or (an unknown payload) both.</summary>
    public void Notified(string payload)
    {
        switch (payload)
        {
            case EventsPayload:
                EventsMayWait();
                break;
            case DeliveriesPayload:
                DueMayWait();
                break;
            default:
                Set();
                break;
        }
    }

    /// <summary>Events may wait to be fanned out (a commit, or a fan-out that took as many as it asked for).</summary>
    public void EventsMayWait()
    {
        Volatile.Write(ref _events, 1);
        _signal.Writer.TryWrite(true);
    }

    /// <summary>Deliveries may be due that nobody holds (a manual retry, a full claim, a fan-out that left some).</summary>
    public void DueMayWait()
    {
        Volatile.Write(ref _due, 1);
        _signal.Writer.TryWrite(true);
    }

    /// <summary>An attempt ended: its slot is free for what the loop holds.</summary>
    public void SlotFreed() => _signal.Writer.TryWrite(true);

    /// <summary>Whether events may wait, clearing it: the caller fans out, and sets it again if it must look once more.</summary>
    public bool TakeEvents() => Interlocked.Exchange(ref _events, 0) == 1;

    /// <summary>Whether due deliveries may wait, clearing it: the caller claims, and sets it again if it must look once more.</summary>
    public bool TakeDue() => Interlocked.Exchange(ref _due, 0) == 1;

    /// <summary>
    /// Waits until the loop is woken or <paramref name="timeout"/> has passed; true when woken. The poll interval passing
    /// looks for both: it is the safety net under the notifications, and what finds retries whose wait is over and
    /// deliveries whose lease ran out.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_signal.Reader.TryRead(out _))
        {
            return true;
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await _signal.Reader.WaitToReadAsync(bounded.Token);
            return _signal.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Volatile.Write(ref _events, 1);
            Volatile.Write(ref _due, 1);
            return false;
        }
    }
}
