using System.Diagnostics.Metrics;
using Platform.Api.Redis;
using StackExchange.Redis;

namespace Platform.Api.RateLimiting;

/// <summary>
/// Fixed-window counters in Redis, shared by every API replica: one INCRBY (+ PEXPIRE on the first hit) per call, in
/// one round trip. While Redis is unavailable (<see cref="RedisGate"/>) the same windows are counted in this replica's
/// memory (<see cref="LocalWindowCounter"/>): a warning is logged once by the gate and
/// <c>platform.rate_limit.local_fallback</c> counts the decisions made that way.
/// </summary>
public sealed class RedisWindowCounter(RedisGate redis, LocalWindowCounter local, TimeProvider clock, IMeterFactory meters)
{
    private const string Script = """
        local count = redis.call('INCRBY', KEYS[1], ARGV[1])
        if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return count
        """;

    private readonly Counter<long> _localFallback = meters.Create("Platform.Api").CreateCounter<long>(
        "platform.rate_limit.local_fallback", description: "Rate-limit decisions counted in this replica's memory because Redis was unavailable.");

    private readonly Counter<long> _rejected = meters.Create("Platform.Api").CreateCounter<long>(
        "platform.rate_limit.rejected", description: "Requests refused by a rate limit.");

    /// <summary>Counts one hit in the current window.</summary>
    public async Task<WindowDecision> HitAsync(string key, int limit, TimeSpan window)
    {
        var added = await AddAsync(key, 1, window);
        var allowed = added.Count <= limit;
        if (!allowed)
        {
            CountRejected();
        }

        return new WindowDecision(allowed, Math.Max(0, limit - added.Count), added.RetryAfter);
    }

    /// <summary>Adds <paramref name="amount"/> to the current window's count, in Redis or, while it is unavailable, locally.</summary>
    public async Task<WindowCount> AddAsync(string key, int amount, TimeSpan window)
    {
        var index = CurrentWindow(window, out var retryAfter);
        var redisKey = new RedisKey($"rl:{key}:{index}");
        // Hits this replica counted on its own during an outage in this window go into the shared count with this one.
        var carried = local.TakeUnshared(key, index);
        var shared = await redis.TryAsync(
            async db => (long)await db.ScriptEvaluateAsync(Script, [redisKey], [amount + carried, (long)window.TotalMilliseconds * 2]),
            "rate limit");
        if (shared.Succeeded)
        {
            local.Observe(key, index, shared.Value);
            return new WindowCount(index, shared.Value, retryAfter);
        }

        local.ReturnUnshared(key, index, carried);
        _localFallback.Add(1);
        return new WindowCount(index, local.Add(key, index, amount), retryAfter);
    }

    /// <summary>The number of the window now open (windows are aligned to the epoch) and the time until it closes.</summary>
    public long CurrentWindow(TimeSpan window, out TimeSpan retryAfter)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var windowMs = (long)window.TotalMilliseconds;
        var index = now / windowMs;
        retryAfter = TimeSpan.FromMilliseconds((index + 1) * windowMs - now);
        return index;
    }

    public void CountRejected() => _rejected.Add(1);
}

public sealed record WindowDecision(bool Allowed, long Remaining, TimeSpan RetryAfter);

public sealed record WindowCount(long Index, long Count, TimeSpan RetryAfter);
