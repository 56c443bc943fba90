using System.Threading.Channels;

namespace Platform.Worker.Webhooks;

/// <summary>
/// What wakes the delivery loop before its poll interval: a NOTIFY from a commit that wrote an event or made a delivery
/// due, an attempt that finished (its webhook may take the next one), a LISTEN connection that came back (events
/// committed while it was away). Any number of wake-ups before the loop waits count as one.
/// </summary>
public sealed class WebhookWakeUp
{
    /// <summary>The channel the schema's triggers notify (<c>webhook_wake_up()</c> in the migrator's hand-written SQL).</summary>
    public const string Channel = "webhook_events";

    private readonly Channel<bool> _pending = System.Threading.Channels.Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private int _eventsMayWait = 1;

    /// <summary>Something was committed (an event, a delivery made due) or may have been while the listener was away.</summary>
    public void Set()
    {
        Volatile.Write(ref _eventsMayWait, 1);
        _pending.Writer.TryWrite(true);
    }

    /// <summary>An attempt ended: its slot is free, but nothing new was committed, so there is nothing to fan out.</summary>
    public void SlotFreed() => _pending.Writer.TryWrite(true);

    /// <summary>Whether events may have been committed since the last call: the next pass should fan out.</summary>
    public bool TakeEventsMayWait() => Interlocked.Exchange(ref _eventsMayWait, 0) == 1;

    /// <summary>Waits until woken or <paramref name="timeout"/> has passed; true when woken.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_pending.Reader.TryRead(out _))
        {
            return true;
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await _pending.Reader.WaitToReadAsync(bounded.Token);
            return _pending.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
