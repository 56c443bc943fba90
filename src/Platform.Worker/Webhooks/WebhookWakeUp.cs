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

    public void Set() => _pending.Writer.TryWrite(true);

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
