using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace Platform.Api.Activities;

/// <summary>
/// One subscriber's Server-Sent Events: first every activity of its tenant after its cursor (its <c>Last-Event-ID</c>,
/// else "now"), read from PostgreSQL; then the live events the pump hands over, skipping any it already sent. A
/// subscriber that falls so far behind that its buffer overflows catches up from PostgreSQL again, so a slow reader
/// is late, never short.
/// </summary>
public sealed class ActivityStream(ActivityFeed feed, ActivityFeedStore store)
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    public async IAsyncEnumerable<SseItem<string>> EventsAsync(
        Guid tenantId, FeedCursor? lastEventId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Subscribe before reading the history, so nothing delivered in between is lost; duplicates are skipped by cursor.
        using var subscription = feed.Subscribe(tenantId);
        var last = lastEventId ?? await store.HorizonAsync(cancellationToken);
        await foreach (var item in CatchUpAsync(tenantId, last, cancellationToken))
        {
            last = item.Cursor;
            yield return Event(item);
        }

        yield return new SseItem<string>("{}", "ready") { EventId = last.ToString() };
        while (!cancellationToken.IsCancellationRequested)
        {
            if (subscription.TakeLagged())
            {
                await foreach (var item in CatchUpAsync(tenantId, last, cancellationToken))
                {
                    last = item.Cursor;
                    yield return Event(item);
                }
            }

            if (!await WaitForEventsAsync(subscription, cancellationToken))
            {
                yield return new SseItem<string>("{}", "heartbeat");
                continue;
            }

            while (subscription.Reader.TryRead(out var item))
            {
                if (item.Cursor <= last)
                {
                    continue;
                }

                last = item.Cursor;
                yield return Event(item);
            }
        }
    }

    private async IAsyncEnumerable<FeedItem> CatchUpAsync(Guid tenantId, FeedCursor after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await store.ReadAsync(tenantId, after, cancellationToken);
            foreach (var item in page)
            {
                yield return item;
            }

            if (page.Count < ActivityFeedStore.PageSize)
            {
                yield break;
            }

            after = page[^1].Cursor;
        }
    }

    /// <summary>True when events are waiting; false after a quiet heartbeat interval.</summary>
    private static async Task<bool> WaitForEventsAsync(ActivityFeed.Subscription subscription, CancellationToken cancellationToken)
    {
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        quiet.CancelAfter(HeartbeatInterval);
        try
        {
            return await subscription.Reader.WaitToReadAsync(quiet.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static SseItem<string> Event(FeedItem item) => new(item.Json, "activity") { EventId = item.Cursor.ToString() };
}
