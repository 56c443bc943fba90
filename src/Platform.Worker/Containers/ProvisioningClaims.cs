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

    /// <summary>An agent in provisioning whose tenant is active.</summary>
    public static async Task<Agent?> NextAgentAsync(PlatformDbContext db, Guid[] onlyTenants, CancellationToken cancellationToken) =>
        (await db.Agents.FromSql(
                $"""
                SELECT a.* FROM agents AS a
                JOIN tenants AS t ON t.id = a.tenant_id
                WHERE a.status = 'provisioning' AND t.status = 'active'
                  AND (cardinality({onlyTenants}) = 0 OR a.tenant_id = ANY({onlyTenants}))
                ORDER BY a.created_at, a.id
                LIMIT 1
                FOR UPDATE OF a SKIP LOCKED
                """).ToListAsync(cancellationToken))
            .SingleOrDefault();
}
