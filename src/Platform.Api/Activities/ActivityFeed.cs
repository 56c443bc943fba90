using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using StackExchange.Redis;

namespace Platform.Api.Activities;

/// <summary>
/// The live activity feed across API replicas. A post appends to a capped Redis stream per tenant
/// (the history <c>Last-Event-ID</c> resumes from) and publishes on the tenant's channel, in one
/// script, so one round trip. Each replica holds one pattern subscription and fans events out to its
/// local subscribers of that tenant only.
/// </summary>
public sealed class ActivityFeed(IConnectionMultiplexer redis, ILogger<ActivityFeed> logger) : IHostedService
{
    public const int HistoryLength = 1000;
    private const string ChannelPrefix = "platform:activity:";
    private static readonly RedisChannel Pattern = RedisChannel.Pattern(ChannelPrefix + "*");

    // Appends and publishes; returns the stream id, which is also the SSE event id.
    private const string AppendScript = """
        local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'data', ARGV[2])
        redis.call('PUBLISH', ARGV[3], id .. '|' .. ARGV[2])
        return id
        """;

    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Channel<FeedItem>, byte>> _subscribers = new();

    public async Task<string?> PublishAsync(Guid tenantId, ActivityResponse activity)
    {
        var json = JsonSerializer.Serialize(activity, FeedJson.Options);
        try
        {
            var id = await redis.GetDatabase().ScriptEvaluateAsync(AppendScript,
                [new RedisKey(StreamKey(tenantId))], [HistoryLength, json, ChannelPrefix + tenantId]);
            return id.ToString();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The activity is stored; only its live delivery is lost, which the feed's clients survive.
            logger.LogWarning("Activity {Id} not published to the live feed: {Reason}", activity.Id, ex.Message);
            return null;
        }
    }

    /// <summary>A subscription to one tenant's events on this replica; dispose it to leave.</summary>
    public Subscription Subscribe(Guid tenantId)
    {
        var channel = Channel.CreateBounded<FeedItem>(new BoundedChannelOptions(1000)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true, // the subscriber's stream
            SingleWriter = true, // Deliver, called in order by one subscription queue
        });
        _subscribers.GetOrAdd(tenantId, _ => new()).TryAdd(channel, 0);
        return new Subscription(channel.Reader, () =>
        {
            if (_subscribers.TryGetValue(tenantId, out var set))
            {
                set.TryRemove(channel, out _);
            }
        });
    }

    /// <summary>Events of a tenant after <paramref name="lastEventId"/>, oldest first, from the capped history.</summary>
    public async Task<IReadOnlyList<FeedItem>> HistoryAfterAsync(Guid tenantId, string lastEventId)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(StreamKey(tenantId), "(" + lastEventId, "+");
        return [.. entries.Select(e => new FeedItem(e.Id.ToString(), e["data"].ToString()))];
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A queue, not a callback: callbacks run concurrently, so a later event could be delivered first and the
            // stream's id check would then skip the earlier one as already sent (the soak saw whole replicas miss events).
            var queue = await redis.GetSubscriber().SubscribeAsync(Pattern);
            queue.OnMessage(message => Deliver(message.Channel.ToString(), message.Message.ToString()));
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "The live activity feed is not subscribed to Redis");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Deliver(string channel, string message)
    {
        var separator = message.IndexOf('|', StringComparison.Ordinal);
        if (separator < 0 || !Guid.TryParse(channel.AsSpan(ChannelPrefix.Length), out var tenantId) || !_subscribers.TryGetValue(tenantId, out var set))
        {
            return;
        }

        var item = new FeedItem(message[..separator], message[(separator + 1)..]);
        foreach (var subscriber in set.Keys)
        {
            subscriber.Writer.TryWrite(item);
        }
    }

    private static string StreamKey(Guid tenantId) => "platform:activity-stream:" + tenantId;

    public sealed record FeedItem(string Id, string Json);

    public sealed class Subscription(ChannelReader<FeedItem> reader, Action leave) : IDisposable
    {
        public ChannelReader<FeedItem> Reader { get; } = reader;

        public void Dispose() => leave();
    }
}

internal static class FeedJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Infrastructure.HttpSetup.Configure(options);
        return options;
    }
}
