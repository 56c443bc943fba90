using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Tenancy;

namespace Platform.Worker.Webhooks;

/// <summary>A claimed delivery with what sending it needs.</summary>
public sealed record ClaimedDelivery(WebhookDelivery Delivery, Webhook Webhook, WebhookEvent Event);

/// <summary>What this worker is sending now, by webhook and by tenant (<see cref="PlatformWide"/> for webhooks without one).</summary>
public sealed record InFlightCounts(IReadOnlyDictionary<Guid, int> ByWebhook, IReadOnlyDictionary<Guid, int> ByTenant)
{
    public static readonly Guid PlatformWide = Guid.Empty;
}

/// <summary>A 2xx answer, waiting to be written with others (<see cref="WebhookDeliveryStore.MarkDeliveredAsync"/>).</summary>
public sealed record DeliveredAttempt(Guid DeliveryId, int StatusCode, TimeSpan Latency, DateTimeOffset AttemptedAt);

/// <summary>
/// The deliveries' rows: fanning events out, claiming due deliveries (<c>FOR UPDATE SKIP LOCKED</c>, so several workers
/// share the work, and a lease so a killed worker's claim comes back), and recording attempts. Platform scope throughout.
/// </summary>
public sealed class WebhookDeliveryStore(DbContextOptions<PlatformDbContext> dbOptions, TimeProvider clock)
{
    /// <summary>The most events one fan-out takes; a full one means more may be waiting.</summary>
    public const int FanOutBatch = 500;

    /// <summary>A claim outlives the longest attempt; after it, another worker may take the delivery again.</summary>
    public static TimeSpan Lease(WebhookDeliveryOptions options) => TimeSpan.FromSeconds(options.TimeoutSeconds + options.LeaseMarginSeconds);

    private PlatformDbContext Open() => PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());

    /// <summary>
    /// One delivery per enabled webhook subscribed to each undispatched event, in one statement (the events locked with
    /// <c>SKIP LOCKED</c>, so workers fanning out at once take different ones); returns the events dispatched.
    /// </summary>
    public async Task<int> FanOutAsync(CancellationToken cancellationToken)
    {
        await using var db = Open();
        var now = clock.GetUtcNow();
        return await db.Database.ExecuteSqlAsync(
            $"""
            WITH due AS (
                SELECT id, tenant_id, type FROM webhook_events WHERE dispatched_at IS NULL
                ORDER BY created_at LIMIT {FanOutBatch} FOR UPDATE SKIP LOCKED),
            fanned AS (
                INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, event_type, state, attempt_count, next_attempt_at, created_at, updated_at)
                SELECT uuid_v7(), e.tenant_id, w.id, e.id, e.type, 'pending', 0, {now}, {now}, {now}
                FROM due e JOIN webhooks w ON w.enabled AND w.tenant_id IS NOT DISTINCT FROM e.tenant_id AND e.type = ANY (w.events))
            UPDATE webhook_events SET dispatched_at = {now} FROM due WHERE webhook_events.id = due.id
            """, cancellationToken);
    }

    /// <summary>
    /// Claims due deliveries in one statement (the lease is written as they are locked), at most <paramref name="perEndpoint"/>
    /// in flight per webhook and <paramref name="perTenant"/> per tenant counting what this worker is already sending
    /// (<paramref name="inFlight"/>), so one slow receiver holds only its own slots, a tenant with many slow ones only its
    /// share of the pool, and a fast endpoint is topped up as each of its deliveries ends. Platform-wide webhooks
    /// (no tenant) share one tenant's share.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(
        int limit, int perEndpoint, int perTenant, InFlightCounts inFlight, WebhookDeliveryOptions options, CancellationToken cancellationToken)
    {
        await using var db = Open();
        var now = clock.GetUtcNow();
        var leased = now + Lease(options);
        Guid[] busyWebhooks = [.. inFlight.ByWebhook.Keys];
        int[] busyWebhookCounts = [.. busyWebhooks.Select(id => inFlight.ByWebhook[id])];
        Guid[] busyTenants = [.. inFlight.ByTenant.Keys];
        int[] busyTenantCounts = [.. busyTenants.Select(id => inFlight.ByTenant[id])];
        var claimed = await db.WebhookDeliveries.FromSql(
            $"""
            UPDATE webhook_deliveries SET next_attempt_at = {leased} WHERE id IN (
                SELECT id FROM webhook_deliveries WHERE id IN (
                    SELECT id FROM (
                        SELECT id, next_attempt_at, tenant_in_flight,
                               row_number() OVER (PARTITION BY tenant_key ORDER BY next_attempt_at, id) AS t
                        FROM (
                            SELECT d.id, d.next_attempt_at, coalesce(d.tenant_id, {InFlightCounts.PlatformWide}) AS tenant_key,
                                   coalesce(b.in_flight, 0) AS in_flight,
                                   row_number() OVER (PARTITION BY d.webhook_id ORDER BY d.next_attempt_at, d.id) AS n
                            FROM webhook_deliveries d
                            LEFT JOIN unnest({busyWebhooks}, {busyWebhookCounts}) AS b(webhook_id, in_flight) ON b.webhook_id = d.webhook_id
                            WHERE d.state = 'pending' AND d.next_attempt_at <= {now}
                        ) AS per_webhook
                        LEFT JOIN unnest({busyTenants}, {busyTenantCounts}) AS bt(tenant_key, tenant_in_flight) USING (tenant_key)
                        WHERE n + in_flight <= {perEndpoint}
                    ) AS per_tenant WHERE t + coalesce(tenant_in_flight, 0) <= {perTenant} ORDER BY next_attempt_at LIMIT {limit})
                -- Checked again on the row as locked: another worker may have claimed it since this statement's snapshot.
                AND state = 'pending' AND next_attempt_at <= {now}
                FOR UPDATE SKIP LOCKED)
            RETURNING *
            """).IgnoreQueryFilters().AsNoTracking().ToListAsync(cancellationToken);
        if (claimed.Count == 0)
        {
            return [];
        }

        var webhookIds = claimed.Select(d => d.WebhookId).Distinct().ToList();
        var eventIds = claimed.Select(d => d.EventId).Distinct().ToList();
        var webhooks = await db.Webhooks.AsNoTracking().Where(w => webhookIds.Contains(w.Id)).ToDictionaryAsync(w => w.Id, cancellationToken);
        var events = await db.WebhookEvents.AsNoTracking().Where(e => eventIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken);
        return [.. claimed.Where(d => webhooks.ContainsKey(d.WebhookId) && events.ContainsKey(d.EventId))
            .Select(d => new ClaimedDelivery(d, webhooks[d.WebhookId], events[d.EventId]))];
    }

    /// <summary>
    /// Marks a batch of deliveries delivered in one statement: each row's attempt count, status, latency and state, one
    /// attempt row each, and the failing streak of their webhooks ended. A row deleted meanwhile (retention) is skipped.
    /// </summary>
    public async Task MarkDeliveredAsync(IReadOnlyList<DeliveredAttempt> batch, CancellationToken cancellationToken)
    {
        await using var db = Open();
        Guid[] ids = [.. batch.Select(a => a.DeliveryId)];
        Guid[] attemptIds = [.. batch.Select(_ => Guid.CreateVersion7())];
        int[] statuses = [.. batch.Select(a => a.StatusCode)];
        int[] latencies = [.. batch.Select(a => (int)a.Latency.TotalMilliseconds)];
        DateTimeOffset[] times = [.. batch.Select(a => a.AttemptedAt)];
        await db.Database.ExecuteSqlAsync(
            $"""
            WITH done AS (
                UPDATE webhook_deliveries d SET state = 'delivered', attempt_count = d.attempt_count + 1, last_status_code = o.status,
                    last_latency_ms = o.latency, last_error = NULL, next_attempt_at = NULL, updated_at = o.at
                FROM unnest({ids}, {attemptIds}, {statuses}, {latencies}, {times}) AS o(id, attempt_id, status, latency, at)
                WHERE d.id = o.id
                RETURNING d.id, d.tenant_id, d.webhook_id, o.attempt_id, o.status, o.latency, o.at),
            recorded AS (
                INSERT INTO webhook_attempts (id, tenant_id, delivery_id, status_code, latency_ms, error, attempted_at)
                SELECT attempt_id, tenant_id, id, status, latency, NULL, at FROM done)
            UPDATE webhooks SET failing_since = NULL WHERE failing_since IS NOT NULL AND id IN (SELECT webhook_id FROM done)
            """, cancellationToken);
    }

    /// <summary>Opens a context for recording one attempt's outcome.</summary>
    public PlatformDbContext OpenForRecording() => Open();
}
