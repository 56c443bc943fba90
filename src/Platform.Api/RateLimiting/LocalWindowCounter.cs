using System.Collections.Concurrent;

namespace Platform.Api.RateLimiting;

/// <summary>
/// Fixed-window counters in this replica's memory: what rate limits count with while Redis is unavailable. Each window
/// remembers the last count Redis reported for it, so a fallback in the middle of a window goes on from there rather
/// than from zero; other replicas' requests during the fallback are what it cannot see, so limits stay on, a little
/// looser, rather than off. The hits a window counted here are handed to Redis when it is back, so the shared count of
/// a window that spans an outage includes them.
/// </summary>
public sealed class LocalWindowCounter
{
    private const int PruneEvery = 4096;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private int _calls;

    public long Add(string key, long index, int amount)
    {
        var window = WindowOf(key, index);
        Interlocked.Add(ref window.Unshared, amount);
        var count = Interlocked.Add(ref window.Count, amount);
        if (Interlocked.Increment(ref _calls) % PruneEvery == 0)
        {
            Prune(index);
        }

        return count;
    }

    /// <summary>Remembers the shared count Redis just reported for the window, as the floor of a later fallback.</summary>
    public void Observe(string key, long index, long sharedCount)
    {
        var window = WindowOf(key, index);
        for (var current = Volatile.Read(ref window.Count); current < sharedCount;)
        {
            var seen = Interlocked.CompareExchange(ref window.Count, sharedCount, current);
            if (seen == current)
            {
                break;
            }

            current = seen;
        }
    }

    /// <summary>Takes the hits counted here in the window that Redis has not been given yet.</summary>
    public long TakeUnshared(string key, long index) =>
        _windows.TryGetValue(key, out var window) && window.Index == index ? Interlocked.Exchange(ref window.Unshared, 0) : 0;

    /// <summary>Gives back hits <see cref="TakeUnshared"/> took that Redis did not get after all (the window may have closed since).</summary>
    public void ReturnUnshared(string key, long index, long hits)
    {
        if (hits > 0 && _windows.TryGetValue(key, out var window) && window.Index == index)
        {
            Interlocked.Add(ref window.Unshared, hits);
        }
    }

    private Window WindowOf(string key, long index) =>
        _windows.AddOrUpdate(key, _ => new Window(index), (_, existing) => existing.Index == index ? existing : new Window(index));

    private void Prune(long currentIndex)
    {
        foreach (var (key, window) in _windows)
        {
            if (window.Index < currentIndex)
            {
                _windows.TryRemove(new KeyValuePair<string, Window>(key, window));
            }
        }
    }

    private sealed class Window(long index)
    {
        public readonly long Index = index;
        public long Count;

        // Counted here while Redis was unavailable and not yet added to its count.
        public long Unshared;
    }
}
