using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Platform.Data;
using Platform.Data.Tenancy;

namespace Platform.Api.Security;

/// <summary>
/// Tenant status and plan, cached in memory for a short time. A change made through the API is evicted on every
/// replica within seconds (<see cref="SecurityChangeFeed"/>); the TTL bounds staleness for changes made elsewhere.
/// </summary>
public sealed class TenantDirectory(DbContextOptions<PlatformDbContext> dbOptions, IMemoryCache cache)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    public async Task<TenantInfo?> GetAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(Key(tenantId), out TenantInfo? cached))
        {
            return cached;
        }

        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForTenant(tenantId));
        var info = await db.Tenants.AsNoTracking()
            .Where(t => t.Id == tenantId)
            .Select(t => new TenantInfo(t.Id, t.Status, t.Plan, t.ResourceLimits))
            .FirstOrDefaultAsync(cancellationToken);
        if (info is not null)
        {
            cache.Set(Key(tenantId), info, Ttl);
        }

        return info;
    }

    public void Evict(Guid tenantId) => cache.Remove(Key(tenantId));

    private static string Key(Guid tenantId) => "tenant:" + tenantId;
}
