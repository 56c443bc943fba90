using System.Threading.Channels;

namespace Platform.Worker.Webhooks;

/// <summary>
/// What wakes the delivery loops before their poll interval: a NOTIFY from a commit that wrote an event or made a delivery
/// due, or a LISTEN connection that came back (events committed while it was away), wakes both the fan-out and the claims;
/// an attempt that finished (its webhook may take the next one) or a fan-out that made deliveries wakes the claims only.
/// </summary>
public sealed class WebhookWakeUp
{
    /// <summary>The channel the schema's triggers notify (<c>webhook_wake_up()</c> in the migrator's hand-written SQL).</summary>
    public const string Channel = "webhook_events";

    // Wakes the delivery loop (claims), and the fan-out loop (events), each any number of times before it waits counting as one.
    private readonly Channel<bool> _pending = NewSignal();
    private readonly Channel<bool> _events = NewSignal();

    /// <summary>Something was committed (an event, a delivery made due) or may have been while the listener was away.</summary>
    public void Set()
    {
        _events.Writer.TryWrite(true);
        _pending.Writer.TryWrite(true);
    }

    /// <summary>An attempt ended (its slot is free) or a fan-out made deliveries: the delivery loop may claim.</summary>
    public void SlotFreed() => _pending.Writer.TryWrite(true);

    /// <summary>Waits until the delivery loop is woken or <paramref name="timeout"/> has passed; true when woken.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => WaitAsync(_pending, timeout, cancellationToken);

    /// <summary>Waits until events may have been committed or <paramref name="timeout"/> has passed; true when woken.</summary>
    public Task<bool> WaitForEventsAsync(TimeSpan timeout, CancellationToken cancellationToken) => WaitAsync(_events, timeout, cancellationToken);

    private static Channel<bool> NewSignal() => System.Threading.Channels.Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private static async Task<bool> WaitAsync(Channel<bool> signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (signal.Reader.TryRead(out _))
        {
            return true;
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await signal.Reader.WaitToReadAsync(bounded.Token);
            return signal.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
