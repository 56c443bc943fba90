using StackExchange.Redis;

namespace Platform.Api.Redis;

/// <summary>
/// A best-effort "something changed, look now" between replicas over one Redis channel. It carries no state: the
/// receiver reads the truth from PostgreSQL, and a lost signal only means it reads at its next timer tick instead.
/// </summary>
public sealed class RedisSignal(RedisGate gate, IConnectionMultiplexer redis, string channel, ILogger logger)
{
    private readonly RedisChannel _channel = RedisChannel.Literal(channel);
    private bool _subscribed;

    public void Send(string message) => gate.Publish(_channel, message);

    /// <summary>Subscribes once Redis is available; call it from the receiver's loop (cheap when done).</summary>
    public async Task EnsureSubscribedAsync(Action<string> onMessage)
    {
        if (_subscribed || !gate.IsAvailable)
        {
            return;
        }

        try
        {
            // The client restores a subscription by itself after a reconnect once it has been made.
            await redis.GetSubscriber().SubscribeAsync(_channel, (_, message) => onMessage(message.ToString()));
            _subscribed = true;
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Not subscribed to {Channel} yet; the timer covers it", channel);
        }
    }
}
