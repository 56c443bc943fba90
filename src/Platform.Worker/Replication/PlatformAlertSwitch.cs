using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Tenancy;
using Platform.Worker.Containers;

namespace Platform.Worker.Replication;

/// <summary>
/// Opens or resolves one platform-wide alert (no tenant, agent or container) in a transaction of its own, as the replica
/// alerts need. There is one of each kind for the whole platform, so its kind is its fingerprint: workers sharing the
/// database open it once between them.
/// </summary>
internal static class PlatformAlertSwitch
{
    /// <summary>True when the alert was opened now (not already open).</summary>
    public static async Task<bool> OpenAsync(
        DbContextOptions<PlatformDbContext> dbOptions, AlertStore alerts, string kind, AlertSeverity severity, string title, string message,
        CancellationToken cancellationToken)
    {
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var opened = await alerts.OpenAsync(
            db, new AlertDraft(TenantId: null, AgentId: null, ContainerId: null, kind, severity, title, message, Fingerprint: kind), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return opened;
    }

    /// <summary>True when the open alert of this kind was resolved now.</summary>
    public static async Task<bool> ResolveAsync(
        DbContextOptions<PlatformDbContext> dbOptions, AlertStore alerts, string kind, CancellationToken cancellationToken)
    {
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var resolved = await alerts.ResolveAsync(db, [kind], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return resolved.Count > 0;
    }
}
