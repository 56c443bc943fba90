using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Tenancy;

namespace Platform.Worker.Webhooks;

/// <summary>A claimed delivery with what sending it needs.</summary>
public sealed record ClaimedDelivery(WebhookDelivery Delivery, Webhook Webhook, WebhookEvent Event);

/// <summary>
/// The deliveries' rows: fanning events out, claiming due deliveries (<c>FOR UPDATE SKIP LOCKED</c>, so several workers
/// share the work, and a lease so a killed worker's claim comes back), and recording attempts. Platform scope throughout.
/// </summary>
public sealed class WebhookDeliveryStore(DbContextOptions<PlatformDbContext> dbOptions, TimeProvider clock)
{
    private const int FanOutBatch = 200;

    /// <summary>A claim outlives the longest attempt; after it, another worker may take the delivery again.</summary>
    public static TimeSpan Lease(WebhookDeliveryOptions options) => TimeSpan.FromSeconds(options.TimeoutSeconds + options.LeaseMarginSeconds);

    private PlatformDbContext Open() => PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());

    /// <summary>One delivery per enabled webhook subscribed to each undispatched event; returns the events dispatched.</summary>
    public async Task<int> FanOutAsync(CancellationToken cancellationToken)
    {
        await using var db = Open();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var events = await db.WebhookEvents.FromSql(
            $"SELECT * FROM webhook_events WHERE dispatched_at IS NULL ORDER BY created_at LIMIT {FanOutBatch} FOR UPDATE SKIP LOCKED")
            .IgnoreQueryFilters().ToListAsync(cancellationToken);
        if (events.Count == 0)
        {
            return 0;
        }

        var tenants = events.Select(e => e.TenantId).Distinct().ToList();
        var platformWide = tenants.Contains(null);
        var webhooks = await db.Webhooks.AsNoTracking()
            .Where(w => w.Enabled && ((w.TenantId != null && tenants.Contains(w.TenantId)) || (platformWide && w.TenantId == null)))
            .ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        foreach (var e in events)
        {
            foreach (var webhook in webhooks.Where(w => w.TenantId == e.TenantId && w.Events.Contains(e.Type)))
            {
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    TenantId = e.TenantId, WebhookId = webhook.Id, EventId = e.Id, EventType = e.Type, NextAttemptAt = now, CreatedAt = now, UpdatedAt = now,
                });
            }

            e.DispatchedAt = now;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return events.Count;
    }

    /// <summary>
    /// Claims due deliveries, at most <paramref name="perEndpoint"/> in flight per webhook counting <paramref name="inFlight"/>
    /// (the deliveries this worker is already sending, by webhook), so one slow receiver holds only its own slots and a
    /// fast one is topped up as each of its deliveries ends.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(
        int limit, int perEndpoint, IReadOnlyDictionary<Guid, int> inFlight, WebhookDeliveryOptions options, CancellationToken cancellationToken)
    {
        await using var db = Open();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        Guid[] busyWebhooks = [.. inFlight.Keys];
        int[] busyCounts = [.. busyWebhooks.Select(id => inFlight[id])];
        var claimed = await db.WebhookDeliveries.FromSql(
            $"""
            SELECT * FROM webhook_deliveries WHERE id IN (
                SELECT id FROM (
                    SELECT d.id, d.next_attempt_at, coalesce(b.in_flight, 0) AS in_flight,
                           row_number() OVER (PARTITION BY d.webhook_id ORDER BY d.next_attempt_at, d.id) AS n
                    FROM webhook_deliveries d
                    LEFT JOIN unnest({busyWebhooks}, {busyCounts}) AS b(webhook_id, in_flight) ON b.webhook_id = d.webhook_id
                    WHERE d.state = 'pending' AND d.next_attempt_at <= {now}
                ) AS due WHERE n + in_flight <= {perEndpoint} ORDER BY next_attempt_at LIMIT {limit})
            FOR UPDATE SKIP LOCKED
            """).IgnoreQueryFilters().ToListAsync(cancellationToken);
        if (claimed.Count == 0)
        {
            return [];
        }

        foreach (var delivery in claimed)
        {
            delivery.NextAttemptAt = now + Lease(options);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var webhookIds = claimed.Select(d => d.WebhookId).Distinct().ToList();
        var eventIds = claimed.Select(d => d.EventId).Distinct().ToList();
        var webhooks = await db.Webhooks.AsNoTracking().Where(w => webhookIds.Contains(w.Id)).ToDictionaryAsync(w => w.Id, cancellationToken);
        var events = await db.WebhookEvents.AsNoTracking().Where(e => eventIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken);
        return [.. claimed.Where(d => webhooks.ContainsKey(d.WebhookId) && events.ContainsKey(d.EventId))
            .Select(d => new ClaimedDelivery(d, webhooks[d.WebhookId], events[d.EventId]))];
    }

    /// <summary>Opens a context for recording one attempt's outcome.</summary>
    public PlatformDbContext OpenForRecording() => Open();
}
