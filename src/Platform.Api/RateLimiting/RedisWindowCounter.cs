using System.Diagnostics.Metrics;
using StackExchange.Redis;

namespace Platform.Api.RateLimiting;

/// <summary>
/// Fixed-window counters in Redis, shared by every API replica: one INCRBY (+ PEXPIRE on the first hit)
/// per call, in one round trip. When Redis cannot answer, callers fail open: the request is served,
/// a warning is logged and <c>platform.rate_limit.fail_open</c> counts it.
/// </summary>
public sealed class RedisWindowCounter(IConnectionMultiplexer redis, TimeProvider clock, ILogger<RedisWindowCounter> logger, IMeterFactory meters)
{
    private const string Script = """
        local count = redis.call('INCRBY', KEYS[1], ARGV[1])
        if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return count
        """;

    private readonly Counter<long> _failOpen = meters.Create("Platform.Api").CreateCounter<long>(
        "platform.rate_limit.fail_open", description: "Requests served without a rate-limit decision because Redis was unreachable.");

    private readonly Counter<long> _rejected = meters.Create("Platform.Api").CreateCounter<long>(
        "platform.rate_limit.rejected", description: "Requests refused by a rate limit.");

    /// <summary>Counts one hit in the current window; null when Redis is unreachable (fail open).</summary>
    public async Task<WindowDecision?> HitAsync(string key, int limit, TimeSpan window)
    {
        if (await AddAsync(key, 1, window) is not { } added)
        {
            return null;
        }

        var allowed = added.Count <= limit;
        if (!allowed)
        {
            CountRejected();
        }

        return new WindowDecision(allowed, Math.Max(0, limit - added.Count), added.RetryAfter);
    }

    /// <summary>Adds <paramref name="amount"/> to the current window's count; null when Redis is unreachable (fail open).</summary>
    public async Task<WindowCount?> AddAsync(string key, int amount, TimeSpan window)
    {
        var index = CurrentWindow(window, out var retryAfter);
        try
        {
            var count = (long)await redis.GetDatabase().ScriptEvaluateAsync(
                Script, [new RedisKey($"rl:{key}:{index}")], [amount, (long)window.TotalMilliseconds * 2]);
            return new WindowCount(index, count, retryAfter);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            _failOpen.Add(1);
            logger.LogWarning("Rate limit {Key} not enforced, Redis is unreachable: {Reason}", key, ex.Message);
            return null;
        }
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
