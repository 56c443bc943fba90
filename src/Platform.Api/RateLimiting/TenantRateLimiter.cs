using System.Threading.RateLimiting;

namespace Platform.Api.RateLimiting;

/// <summary>A <see cref="RateLimiter"/> over one tenant's <see cref="TenantRequestBudget"/>, for ASP.NET Core's rate-limiting middleware.</summary>
public sealed class TenantRateLimiter(TenantRequestBudget budget, RedisWindowCounter counter) : RateLimiter
{
    private long _lastUsedTicks = Environment.TickCount64;

    public override TimeSpan? IdleDuration => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastUsedTicks));

    public override RateLimiterStatistics? GetStatistics() => null;

    // The middleware tries this synchronous path first and falls back to AcquireAsync when it fails:
    // a permit already leased is spent here; anything needing Redis waits for the asynchronous path.
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        Interlocked.Exchange(ref _lastUsedTicks, Environment.TickCount64);
        return budget.TryTake() == true ? Lease.Acquired : Lease.NotAttempted;
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsedTicks, Environment.TickCount64);
        var decision = await budget.TakeAsync(cancellationToken);
        if (decision.Allowed)
        {
            return Lease.Acquired;
        }

        counter.CountRejected();
        return new Lease(false, decision.RetryAfter);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            budget.Dispose();
        }

        base.Dispose(disposing);
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
