namespace Platform.Api.RateLimiting;

/// <summary>
/// One tenant's request budget for a fixed window, shared by every replica through one Redis counter (counted per
/// replica while Redis is unavailable, see <see cref="RedisWindowCounter"/>).
/// A replica takes permits from that counter in leases (one INCRBY) and spends them locally, so a busy
/// tenant costs one Redis call per lease rather than per request. Every permit is counted in Redis before
/// it is spent, so the limit is never exceeded across replicas; at most <see cref="LeaseSize"/> permits per
/// replica go unspent when a window ends. Small limits get leases of one: exact, one call per request.
/// </summary>
public sealed class TenantRequestBudget(RedisWindowCounter counter, string key, int limit, TimeSpan window) : IDisposable
{
    private readonly SemaphoreSlim _refill = new(1, 1);
    private readonly Lock _gate = new();
    private long _window = -1;
    private int _remaining;
    private bool _exhausted;

    /// <summary>Permits per Redis call: 0.5 % of the limit, between 1 and 50.</summary>
    public int LeaseSize { get; } = Math.Clamp(limit / 200, 1, 50);

    /// <summary>Spends a local permit without waiting: true (allowed), false (window exhausted), null (Redis needed).</summary>
    public bool? TryTake() => TryTake(out _);

    private bool? TryTake(out TimeSpan untilClose)
    {
        var index = counter.CurrentWindow(window, out untilClose);
        lock (_gate)
        {
            if (_window != index)
            {
                return null;
            }

            if (_remaining > 0)
            {
                _remaining--;
                return true;
            }

            return _exhausted ? false : null;
        }
    }

    /// <summary>Spends a permit, leasing more from the shared counter when the local ones are gone.</summary>
    public async Task<WindowDecision> TakeAsync(CancellationToken cancellationToken)
    {
        await _refill.WaitAsync(cancellationToken);
        try
        {
            // Whoever held the semaphore before may have leased enough for this request too.
            if (TryTake(out var untilClose) is { } local)
            {
                return new WindowDecision(local, 0, untilClose);
            }

            var lease = await counter.AddAsync(key, LeaseSize, window);
            var granted = (int)Math.Clamp(limit - (lease.Count - LeaseSize), 0, LeaseSize);
            lock (_gate)
            {
                if (_window != lease.Index)
                {
                    _window = lease.Index;
                    _remaining = 0;
                    _exhausted = false;
                }

                _remaining += Math.Max(0, granted - 1);
                _exhausted = granted < LeaseSize;
            }

            return new WindowDecision(granted > 0, Math.Max(0, limit - lease.Count), lease.RetryAfter);
        }
        finally
        {
            _refill.Release();
        }
    }

    public void Dispose() => _refill.Dispose();
}
