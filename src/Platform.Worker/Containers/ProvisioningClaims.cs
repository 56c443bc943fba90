using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Worker.Containers;

/// <summary>
/// Claims the next row to provision, oldest first, locked in the caller's transaction with
/// <c>FOR UPDATE SKIP LOCKED</c>: two workers never claim the same row, and neither waits for the other.
/// An empty <c>onlyTenants</c> means every tenant.
/// </summary>
internal static class ProvisioningClaims
{
    public static async Task<Tenant?> NextTenantAsync(PlatformDbContext db, Guid[] onlyTenants, CancellationToken cancellationToken) =>
        (await db.Tenants.FromSql(
                $"""
                SELECT * FROM tenants
                WHERE status = 'provisioning' AND (cardinality({onlyTenants}) = 0 OR id = ANY({onlyTenants}))
                ORDER BY created_at, id
                LIMIT 1
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken))
            .SingleOrDefault();

    /// <summary>
    /// An agent of an active tenant that needs a workload and whose back-off is over: in provisioning, or in error after
    /// failed creates (those are retried, at the longest back-off, until one succeeds).
    /// </summary>
    public static async Task<Agent?> NextAgentAsync(PlatformDbContext db, Guid[] onlyTenants, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await db.Agents.FromSql(
                $"""
                SELECT a.* FROM agents AS a
                JOIN tenants AS t ON t.id = a.tenant_id
                WHERE t.status = 'active'
                  AND (a.status = 'provisioning' OR (a.status = 'error' AND a.container_id IS NULL AND a.provision_attempts > 0))
                  AND (a.next_provision_at IS NULL OR a.next_provision_at <= {now})
                  AND (cardinality({onlyTenants}) = 0 OR a.tenant_id = ANY({onlyTenants}))
                ORDER BY a.created_at, a.id
                LIMIT 1
                FOR UPDATE OF a SKIP LOCKED
                """).ToListAsync(cancellationToken))
            .SingleOrDefault();
}
