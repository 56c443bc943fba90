using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Tenancy;
using Platform.Runtime;

namespace Platform.Worker.Containers;

/// <summary>
/// Tenant networks of this scope whose tenant row is gone are removed (after the tenant's workloads, which the
/// reconciler removed first; a network still in use is tried again next pass).
/// </summary>
internal sealed class TenantNetworkReconciler(
    IAgentRuntime runtime,
    DbContextOptions<PlatformDbContext> dbOptions,
    ILogger logger)
{
    /// <param name="onlyTenants">Only networks of these tenants; empty for every tenant.</param>
    public async Task<int> RemoveOrphansAsync(Guid[] onlyTenants, CancellationToken cancellationToken)
    {
        // Listed before the rows are read: a tenant created in between has its row by then.
        var networks = (await runtime.ListTenantNetworksAsync(cancellationToken))
            .Where(t => onlyTenants.Length == 0 || onlyTenants.Contains(t))
            .ToArray();
        if (networks.Length == 0)
        {
            return 0;
        }

        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        var existing = await db.Tenants.AsNoTracking().Where(t => networks.Contains(t.Id)).Select(t => t.Id).ToListAsync(cancellationToken);
        var removed = 0;
        foreach (var tenantId in networks.Except(existing))
        {
            try
            {
                if (await runtime.RemoveTenantNetworkAsync(tenantId, cancellationToken))
                {
                    removed++;
                    logger.LogInformation("Removed the network of tenant {TenantId}, which no longer exists", tenantId);
                }
            }
            catch (RuntimeOperationException ex)
            {
                logger.LogWarning("Removing the network of deleted tenant {TenantId}: {Error}", tenantId, ex.Message);
            }
        }

        return removed;
    }
}
