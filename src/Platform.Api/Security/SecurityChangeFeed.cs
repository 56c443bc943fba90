using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Api.Http;
using Platform.Api.Redis;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Tenancy;

namespace Platform.Api.Security;

/// <summary>
/// Applies security changes (<see cref="SecurityChange"/> rows) to this replica: evicts a revoked key or a changed
/// tenant from the caches and records ended sessions in <see cref="SessionRevocations"/>. A change made here is applied
/// at once (<see cref="ApplyNow"/>); changes made on other replicas are read from PostgreSQL every
/// <c>Security:ChangePollMilliseconds</c>, and at once when Redis passes on another replica's "look now". The signal
/// carries nothing but the hint: a lost one delays a revocation by one poll interval, never more.
/// </summary>
public sealed class SecurityChangeFeed(
    DbContextOptions<PlatformDbContext> dbOptions,
    TenantDirectory tenants,
    ApiKeyDirectory apiKeys,
    SessionRevocations sessions,
    IOptions<JwtOptions> jwt,
    IOptions<SecurityChangeOptions> options,
    RedisGate redisGate,
    StackExchange.Redis.IConnectionMultiplexer redis,
    TimeProvider clock,
    ILogger<SecurityChangeFeed> logger) : BackgroundService
{
    // Rows are read again for this long after they were first seen: a transaction that commits a change late (its
    // created_at is its start) is still picked up. Applying a change twice is harmless.
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);

    private readonly Dictionary<Guid, DateTimeOffset> _seen = [];
    private readonly WakeSignal _wake = new();
    private readonly RedisSignal _otherReplicas = new(redisGate, redis, "platform:security-changed", logger);
    private DateTimeOffset _lastRead;

    private TimeSpan TokenLifetime => TimeSpan.FromMinutes(jwt.Value.AccessTokenMinutes) + Skew;

    /// <summary>Applies a change this replica just committed, without waiting for the next poll.</summary>
    public void ApplyNow(SecurityChange change)
    {
        Apply(change);
        _otherReplicas.Send(change.Kind.ToString());
    }

    /// <summary>
    /// Loads the state if the feed has not yet (its first read runs in the background once the host has started, so
    /// building the EF model for it does not hold up Kestrel); throws when PostgreSQL cannot answer, so the caller
    /// fails closed.
    /// </summary>
    public async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (!sessions.IsLoaded)
        {
            await PollAsync(clock.GetUtcNow() - TokenLifetime, cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start: the first read (every revocation an access token alive now could be affected by) runs at
        // once, below, while requests that need it before it lands load it themselves (EnsureLoadedAsync).
        await Task.Yield();
        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!first)
                {
                    await _wake.WaitAsync(options.Value.PollInterval, stoppingToken);
                }

                first = false;
                await _otherReplicas.EnsureSubscribedAsync(_ => _wake.Set());
                // After a gap (PostgreSQL unreachable from here) everything since the last good read is read again.
                await PollAsync(sessions.IsLoaded ? _lastRead - Overlap : clock.GetUtcNow() - TokenLifetime, stoppingToken);
                sessions.Prune(TokenLifetime);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not read security changes; will retry");
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private async Task PollAsync(DateTimeOffset from, CancellationToken cancellationToken)
    {
        var startedAt = clock.GetUtcNow();
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        var changes = await db.SecurityChanges.AsNoTracking()
            .Where(c => c.CreatedAt > from)
            .OrderBy(c => c.CreatedAt)
            .ToListAsync(cancellationToken);
        lock (_seen)
        {
            foreach (var change in changes.Where(c => _seen.TryAdd(c.Id, c.CreatedAt)))
            {
                Apply(change);
            }

            foreach (var (id, at) in _seen.Where(s => s.Value < from).ToList())
            {
                _seen.Remove(id);
            }
        }

        _lastRead = startedAt;
        sessions.MarkLoaded();
    }

    private void Apply(SecurityChange change)
    {
        switch (change.Kind)
        {
            case SecurityChangeKind.ApiKey:
                apiKeys.Evict(change.Subject);
                break;
            case SecurityChangeKind.Tenant when Guid.TryParse(change.Subject, out var tenantId):
                tenants.Evict(tenantId);
                break;
            case SecurityChangeKind.Session when Guid.TryParse(change.Subject, out var familyId):
                sessions.RevokeSession(familyId, change.CreatedAt);
                break;
        }
    }
}
