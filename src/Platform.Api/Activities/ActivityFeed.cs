using System.Collections.Concurrent;
using System.Threading.Channels;
using Platform.Api.Http;
using Platform.Api.Redis;
using StackExchange.Redis;

namespace Platform.Api.Activities;

/// <summary>
/// The live activity feed of this replica. One pump reads newly committed activities of every tenant from PostgreSQL
/// (<see cref="ActivityFeedStore"/>) in feed order and hands each to this replica's subscribers of its tenant. It
/// reads when woken (a post on this replica, or a Redis message from another replica's post) and on a timer, so Redis
/// only makes the feed faster: when it is down the timer runs more often and nothing is lost.
/// </summary>
public sealed class ActivityFeed(ActivityFeedStore store, RedisGate redisGate, IConnectionMultiplexer redis, ILogger<ActivityFeed> logger)
    : BackgroundService
{
    private static readonly TimeSpan SafetyInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PollingInterval = TimeSpan.FromMilliseconds(250);

    // A woken pump that finds nothing looks again after these pauses: the row it was woken for may still sit behind the
    // xmin of an unrelated transaction that is about to finish.
    private static readonly int[] RetryPausesMs = [2, 5, 10, 25, 50];

    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Subscription, byte>> _subscribers = new();
    private readonly WakeSignal _wake = new();
    private readonly RedisSignal _otherReplicas = new(redisGate, redis, "platform:activity-committed", logger);

    /// <summary>The position the pump has delivered up to; a new subscriber catches up from PostgreSQL at least this far.</summary>
    public FeedCursor Position { get; private set; }

    /// <summary>Tells every replica that an activity of <paramref name="tenantId"/> committed; best effort, never throws.</summary>
    public void Committed(Guid tenantId)
    {
        _wake.Set();
        _otherReplicas.Send(tenantId.ToString());
    }

    public Subscription Subscribe(Guid tenantId)
    {
        var subscription = new Subscription(this, tenantId);
        _subscribers.GetOrAdd(tenantId, _ => new()).TryAdd(subscription, 0);
        _wake.Set();
        return subscription;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Position = await StartPositionAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var woken = await _wake.WaitAsync(redisGate.IsAvailable ? SafetyInterval : PollingInterval, stoppingToken);
                await _otherReplicas.EnsureSubscribedAsync(_ => _wake.Set());
                await PumpAsync(woken, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "The live feed could not read new activities; will retry");
                await Task.Delay(SafetyInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<FeedCursor> StartPositionAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                return await store.HorizonAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "The live feed cannot reach PostgreSQL yet; will retry");
                await Task.Delay(SafetyInterval, stoppingToken);
            }
        }
    }

    private async Task PumpAsync(bool woken, CancellationToken cancellationToken)
    {
        if (_subscribers.Values.All(set => set.IsEmpty))
        {
            // Nobody to deliver to: move past what committed meanwhile without reading it. Unless someone subscribed while
            // the horizon was read: its stream may have started from an earlier horizon and then waits for the pump to
            // deliver what committed since, which the next pass reads instead of skipping.
            var horizon = await store.HorizonAsync(cancellationToken);
            if (_subscribers.Values.All(set => set.IsEmpty))
            {
                Position = horizon > Position ? horizon : Position;
            }

            return;
        }

        var retries = woken ? RetryPausesMs : [];
        for (var attempt = 0; ; )
        {
            var page = await store.ReadAsync(null, Position, cancellationToken);
            foreach (var item in page)
            {
                Deliver(item);
            }

            if (page.Count > 0)
            {
                Position = page[^1].Cursor;
                retries = [];
                if (page.Count == ActivityFeedStore.PageSize)
                {
                    continue;
                }

                return;
            }

            if (attempt >= retries.Length)
            {
                return;
            }

            await Task.Delay(retries[attempt++], cancellationToken);
        }
    }

    private void Deliver(FeedItem item)
    {
        if (_subscribers.TryGetValue(item.TenantId, out var set))
        {
            foreach (var subscription in set.Keys)
            {
                subscription.Offer(item);
            }
        }
    }

    private void Leave(Subscription subscription)
    {
        if (_subscribers.TryGetValue(subscription.TenantId, out var set))
        {
            set.TryRemove(subscription, out _);
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    /// <summary>One SSE stream's subscription to its tenant's events on this replica; dispose it to leave.</summary>
    public sealed class Subscription : IDisposable
    {
        private const int Capacity = 1000;
        private readonly ActivityFeed _feed;
        private readonly Channel<FeedItem> _items = Channel.CreateBounded<FeedItem>(new BoundedChannelOptions(Capacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
            SingleWriter = true, // the pump
        });

        private int _lagged;

        internal Subscription(ActivityFeed feed, Guid tenantId)
        {
            _feed = feed;
            TenantId = tenantId;
        }

        public Guid TenantId { get; }

        public ChannelReader<FeedItem> Reader => _items.Reader;

        /// <summary>True once if events were dropped because the reader fell behind: it must catch up from PostgreSQL.</summary>
        public bool TakeLagged() => Interlocked.Exchange(ref _lagged, 0) == 1;

        internal void Offer(FeedItem item)
        {
            if (!_items.Writer.TryWrite(item))
            {
                Volatile.Write(ref _lagged, 1);
            }
        }

        public void Dispose() => _feed.Leave(this);
    }
}
