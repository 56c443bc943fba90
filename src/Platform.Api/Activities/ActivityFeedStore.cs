using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Tenancy;

namespace Platform.Api.Activities;

/// <summary>
/// Reads the live feed from PostgreSQL, the feed's only source. A read returns rows after a cursor in (tx_id, id)
/// order and stops below the snapshot's xmin, the oldest transaction still running: every transaction below it has
/// finished, so no row can later appear behind a cursor that a reader has already passed.
/// </summary>
public sealed class ActivityFeedStore(DbContextOptions<PlatformDbContext> dbOptions)
{
    public const int PageSize = 500;

    /// <summary>Where the feed stands now: a cursor that every row committed from here on comes after.</summary>
    public async Task<FeedCursor> HorizonAsync(CancellationToken cancellationToken)
    {
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        var xmin = await db.Database.SqlQuery<string>($"SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS \"Value\"")
            .SingleAsync(cancellationToken);
        return new FeedCursor(ulong.Parse(xmin, CultureInfo.InvariantCulture), Guid.Empty);
    }

    /// <summary>Activities after <paramref name="after"/>: one tenant's (a subscriber catching up), or every tenant's (the pump).</summary>
    public async Task<IReadOnlyList<FeedItem>> ReadAsync(Guid? tenantId, FeedCursor after, CancellationToken cancellationToken)
    {
        await using var db = PlatformDbContext.Create(dbOptions, tenantId is { } id ? TenantContext.ForTenant(id) : TenantContext.ForPlatform());
        var tx = after.TxId.ToString(CultureInfo.InvariantCulture);
        var rows = tenantId is { } tenant
            ? db.AgentActivities.FromSql($"""
                SELECT * FROM agent_activities
                WHERE tenant_id = {tenant} AND tx_id >= {tx}::xid8 AND (tx_id, id) > ({tx}::xid8, {after.Id})
                  AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY tx_id, id LIMIT {PageSize}
                """)
            : db.AgentActivities.FromSql($"""
                SELECT * FROM agent_activities
                WHERE tx_id >= {tx}::xid8 AND (tx_id, id) > ({tx}::xid8, {after.Id})
                  AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY tx_id, id LIMIT {PageSize}
                """);
        var activities = await rows.AsNoTracking().ToListAsync(cancellationToken);
        return [.. activities.Select(ToItem)];
    }

    private static FeedItem ToItem(AgentActivity a) =>
        new(a.TenantId, new FeedCursor(a.TxId, a.Id), JsonSerializer.Serialize(ActivityResponse.From(a), FeedJson.Options));
}

/// <summary>One event of the feed: its tenant, its position (the SSE id) and the activity as the API returns it.</summary>
public sealed record FeedItem(Guid TenantId, FeedCursor Cursor, string Json);
