using System.Collections.Concurrent;

namespace Platform.Api.RateLimiting;

/// <summary>
/// Fixed-window counters in this replica's memory: what rate limits count with while Redis is unavailable. Each
/// replica then enforces the limit on its own, so a tenant may get up to the limit per replica: limits stay on, a
/// little looser, rather than off.
/// </summary>
public sealed class LocalWindowCounter
{
    private const int PruneEvery = 4096;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private int _calls;

    public long Add(string key, long index, int amount)
    {
        var window = _windows.AddOrUpdate(key, _ => new Window(index), (_, existing) => existing.Index == index ? existing : new Window(index));
        var count = Interlocked.Add(ref window.Count, amount);
        if (Interlocked.Increment(ref _calls) % PruneEvery == 0)
        {
            Prune(index);
        }

        return count;
    }

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
    }
}
