using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Tenancy;
using Platform.Worker.Containers;

namespace Platform.Worker.Replication;

/// <summary>Opens or resolves one platform-wide alert in a transaction of its own, as the replica alerts need.</summary>
internal static class PlatformAlertSwitch
{
    /// <summary>True when the alert was opened now (not already open).</summary>
    public static async Task<bool> OpenAsync(
        DbContextOptions<PlatformDbContext> dbOptions, AlertStore alerts, AlertDraft alert, CancellationToken cancellationToken)
    {
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var opened = await alerts.OpenAsync(db, alert, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return opened;
    }

    /// <summary>True when an open alert with this fingerprint was resolved now.</summary>
    public static async Task<bool> ResolveAsync(
        DbContextOptions<PlatformDbContext> dbOptions, AlertStore alerts, string fingerprint, CancellationToken cancellationToken)
    {
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var resolved = await alerts.ResolveAsync(db, [fingerprint], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return resolved.Count > 0;
    }
}
