using System.Threading.RateLimiting;

namespace Platform.Api.RateLimiting;

/// <summary>A <see cref="RateLimiter"/> over <see cref="RedisWindowCounter"/>, for ASP.NET Core's rate-limiting middleware.</summary>
public sealed class RedisFixedWindowRateLimiter(RedisWindowCounter counter, string key, int limit, TimeSpan window) : RateLimiter
{
    private long _lastUsedTicks = Environment.TickCount64;

    public override TimeSpan? IdleDuration => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastUsedTicks));

    public override RateLimiterStatistics? GetStatistics() => null;

    // The middleware tries this synchronous path first and falls back to AcquireAsync when it fails:
    // answering "not acquired" here keeps Redis off the synchronous path (no blocked thread, one count per request).
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.NotAttempted;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsedTicks, Environment.TickCount64);
        var decision = await counter.HitAsync(key, limit, window);
        return decision is null || decision.Allowed ? Lease.Acquired : new Lease(false, decision.RetryAfter);
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Acquired = new(true, null);

        public static readonly Lease NotAttempted = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
