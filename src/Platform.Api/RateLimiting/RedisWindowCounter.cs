using System.Diagnostics.Metrics;
using StackExchange.Redis;

namespace Platform.Api.RateLimiting;

/// <summary>
/// Fixed-window counters in Redis, shared by every API replica: one INCR (+ PEXPIRE on the first hit)
/// per request, in one round trip. When Redis cannot answer, callers fail open: the request is served,
/// a warning is logged and <c>platform.rate_limit.fail_open</c> counts it.
/// </summary>
public sealed class RedisWindowCounter(IConnectionMultiplexer redis, TimeProvider clock, ILogger<RedisWindowCounter> logger, IMeterFactory meters)
{
    private const string Script = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return count
        """;

    private readonly Counter<long> _failOpen = meters.Create("Platform.Api").CreateCounter<long>(
        "platform.rate_limit.fail_open", description: "Requests served without a rate-limit decision because Redis was unreachable.");

    private readonly Counter<long> _rejected = meters.Create("Platform.Api").CreateCounter<long>(
        "platform.rate_limit.rejected", description: "Requests refused by a rate limit.");

    /// <summary>Counts one hit in the current window; null when Redis is unreachable (fail open).</summary>
    public async Task<WindowDecision?> HitAsync(string key, int limit, TimeSpan window)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var windowMs = (long)window.TotalMilliseconds;
        var index = now / windowMs;
        var retryAfter = TimeSpan.FromMilliseconds((index + 1) * windowMs - now);
        try
        {
            var count = (long)await redis.GetDatabase().ScriptEvaluateAsync(
                Script, [new RedisKey($"rl:{key}:{index}")], [windowMs * 2]);
            var allowed = count <= limit;
            if (!allowed)
            {
                _rejected.Add(1);
            }

            return new WindowDecision(allowed, Math.Max(0, limit - count), retryAfter);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            _failOpen.Add(1);
            logger.LogWarning("Rate limit {Key} not enforced, Redis is unreachable: {Reason}", key, ex.Message);
            return null;
        }
    }
}

public sealed record WindowDecision(bool Allowed, long Remaining, TimeSpan RetryAfter);
