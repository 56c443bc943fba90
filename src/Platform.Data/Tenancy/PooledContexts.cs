using Microsoft.EntityFrameworkCore;

namespace Platform.Data.Tenancy;

/// <summary>
/// Renting from EF's context pool with a tenant scope. A pooled context skips building EF's internal
/// services per request (and their allocations); the scope is attached on rent and cleared
/// when the context goes back (see <see cref="PlatformDbContext.Dispose"/>).
/// </summary>
public static class PooledContexts
{
    public static TContext CreateDbContext<TContext>(this IDbContextFactory<TContext> pool, TenantContext tenant)
        where TContext : PlatformDbContext
    {
        var context = pool.CreateDbContext();
        context.Tenant = tenant;
        return context;
    }
}
