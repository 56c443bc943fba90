using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Platform.Data;
using Platform.Data.Tenancy;

namespace Platform.Worker.Webhooks;

/// <summary>
/// A claimed delivery with what sending it needs, and when its claim's lease ends: its webhook as the claim read it, its
/// event's type and traceparent, and the body to post, built once from the stored event.
/// </summary>
public sealed record ClaimedDelivery(
    Guid Id, Guid? TenantId, int AttemptCount, ClaimedWebhook Webhook, Guid EventId, string EventType, string? TraceParent, byte[] Body,
    DateTimeOffset LeasedUntil)
{
    public Guid TenantKey => TenantId ?? InFlightCounts.PlatformWide;
}

/// <summary>The columns of a claimed delivery's webhook that sending it needs.</summary>
public sealed record ClaimedWebhook(
    Guid Id, Guid? TenantId, string Url, bool Enabled, string SecretCipher, string? PreviousSecretCipher, DateTimeOffset? PreviousSecretExpiresAt);

/// <summary>What this worker holds (claimed: waiting or being sent), by webhook and by tenant (<see cref="PlatformWide"/> for webhooks without one).</summary>
public sealed record InFlightCounts(IReadOnlyDictionary<Guid, int> ByWebhook, IReadOnlyDictionary<Guid, int> ByTenant)
{
    public static readonly Guid PlatformWide = Guid.Empty;
}

/// <summary>
/// What a fan-out did: how many events it took, the deliveries it made claimed by this worker, and the webhook and tenant
/// of each it made due for the claim instead (they did not fit this worker's room).
/// </summary>
public sealed record FanOut(int Events, IReadOnlyList<ClaimedDelivery> Leased, IReadOnlyList<(Guid Webhook, Guid Tenant)> Left);

/// <summary>A 2xx answer, waiting to be written with others (<see cref="WebhookDeliveryStore.MarkDeliveredAsync"/>).</summary>
public sealed record DeliveredAttempt(Guid DeliveryId, int StatusCode, TimeSpan Latency, DateTimeOffset AttemptedAt);

/// <summary>
/// The deliveries' rows: fanning events out, claiming due deliveries (<c>FOR UPDATE SKIP LOCKED</c>, so several workers
/// share the work, and a lease so a killed worker's claim comes back), and recording attempts. Platform scope throughout.
/// </summary>
public sealed class WebhookDeliveryStore(DbContextOptions<PlatformDbContext> dbOptions, TimeProvider clock)
{
    // Several statements per batch of deliveries: a pooled context skips building EF's services for each of them.
    private readonly PooledDbContextFactory<PlatformDbContext> _contexts = new(dbOptions);

    /// <summary>A claim outlives the longest attempt; after it, another worker may take the delivery again.</summary>
    public static TimeSpan Lease(WebhookDeliveryOptions options) => TimeSpan.FromSeconds(options.TimeoutSeconds + options.LeaseMarginSeconds);

    private PlatformDbContext Open() => _contexts.CreateDbContext(TenantContext.ForPlatform());

    /// <summary>
    /// Fans up to <paramref name="events"/> undispatched events out in one statement (the events locked with
    /// <c>SKIP LOCKED</c>, so workers fanning out at once take different ones): one delivery per enabled webhook subscribed
    /// to each. The deliveries that fit this worker's room (<paramref name="limit"/>, and the caps as in
    /// <see cref="ClaimAsync"/> counting <paramref name="held"/>) are made already claimed by it, leased, and returned
    /// with what sending them needs, so the common path has no claim at all; the rest are made due now, for the claim.
    /// </summary>
    public async Task<FanOut> FanOutAsync(
        int events, int limit, int perEndpoint, int perTenant, InFlightCounts held, WebhookDeliveryOptions options, CancellationToken cancellationToken)
    {
        await using var db = Open();
        var now = clock.GetUtcNow();
        var leased = now + Lease(options);
        var (busyWebhooks, busyWebhookCounts, busyTenants, busyTenantCounts) = Busy(held);
        var rows = await db.Database.SqlQuery<FanOutRow>(
            $"""
            WITH due AS (
                SELECT id, tenant_id, type, created_at, data, trace_parent FROM webhook_events WHERE dispatched_at IS NULL
                ORDER BY created_at LIMIT {events} FOR UPDATE SKIP LOCKED),
            dispatched AS (
                UPDATE webhook_events SET dispatched_at = {now} FROM due WHERE webhook_events.id = due.id),
            made AS (
                SELECT uuid_v7() AS id, e.id AS event_id, e.tenant_id, e.type, e.created_at, w.id AS webhook_id,
                       coalesce(e.tenant_id, {InFlightCounts.PlatformWide}) AS tenant_key,
                       row_number() OVER (PARTITION BY w.id ORDER BY e.created_at, e.id) + coalesce(b.held, 0) <= {perEndpoint} AS fits_endpoint
                FROM due e JOIN webhooks w ON w.enabled AND w.tenant_id IS NOT DISTINCT FROM e.tenant_id AND e.type = ANY (w.events)
                LEFT JOIN unnest({busyWebhooks}, {busyWebhookCounts}) AS b(webhook_id, held) ON b.webhook_id = w.id),
            taken AS (
                SELECT r.id FROM (
                    SELECT m.id, m.created_at,
                           row_number() OVER (PARTITION BY m.tenant_key ORDER BY m.created_at, m.id) + coalesce(bt.held, 0) AS tenant_rank
                    FROM made m LEFT JOIN unnest({busyTenants}, {busyTenantCounts}) AS bt(tenant_key, held) ON bt.tenant_key = m.tenant_key
                    WHERE m.fits_endpoint) r
                WHERE r.tenant_rank <= {perTenant} ORDER BY r.created_at, r.id LIMIT {limit}),
            fanned AS (
                INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, event_type, state, attempt_count, next_attempt_at, created_at, updated_at)
                SELECT m.id, m.tenant_id, m.webhook_id, m.event_id, m.type, 'pending', 0, CASE WHEN t.id IS NULL THEN {now} ELSE {leased} END, {now}, {now}
                FROM made m LEFT JOIN taken t ON t.id = m.id
                RETURNING id, tenant_id, webhook_id, event_id, attempt_count, next_attempt_at = {leased} AS leased)
            SELECT c.events, f.id, f.tenant_id, f.webhook_id, f.event_id, f.attempt_count, f.leased, w.url, w.enabled, w.secret_cipher,
                   w.previous_secret_cipher, w.previous_secret_expires_at, w.tenant_id AS webhook_tenant_id, e.type AS event_type,
                   e.created_at AS event_created_at, e.tenant_id AS event_tenant_id, CASE WHEN f.leased THEN e.data::text END AS data, e.trace_parent
            FROM (SELECT count(*)::int AS events FROM due) c
            LEFT JOIN (fanned f JOIN webhooks w ON w.id = f.webhook_id JOIN due e ON e.id = f.event_id) ON true
            """).ToListAsync(cancellationToken);
        return FanOutRow.ToFanOut(rows, leased);
    }

    /// <summary>
    /// Claims due deliveries in one statement, the lease written as they are locked, and returns what sending them needs
    /// (the webhook's URL and secrets, the event) from the same statement. It walks the webhooks that have pending
    /// deliveries (a skip scan of the pending index) and takes each one's earliest due rows from that index, at most
    /// <paramref name="perEndpoint"/> held per webhook and <paramref name="perTenant"/> per tenant counting what this
    /// worker already holds (<paramref name="held"/>), so its cost follows the webhooks and the rows taken, not the
    /// backlog. Platform-wide webhooks (no tenant) share one tenant's share.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(
        int limit, int perEndpoint, int perTenant, InFlightCounts held, WebhookDeliveryOptions options, CancellationToken cancellationToken)
    {
        await using var db = Open();
        var now = clock.GetUtcNow();
        var leased = now + Lease(options);
        var (busyWebhooks, busyWebhookCounts, busyTenants, busyTenantCounts) = Busy(held);
        // The locked rows' conditions sit beside FOR UPDATE, so a row another worker claimed since this statement's
        // snapshot is checked again as locked (and skipped when it is no longer due).
        var rows = await db.Database.SqlQuery<ClaimRow>(
            $"""
            WITH RECURSIVE hooks(webhook_id) AS (
                (SELECT webhook_id FROM webhook_deliveries WHERE state = 'pending' ORDER BY webhook_id LIMIT 1)
                UNION ALL
                SELECT (SELECT d.webhook_id FROM webhook_deliveries d
                        WHERE d.state = 'pending' AND d.webhook_id > h.webhook_id ORDER BY d.webhook_id LIMIT 1)
                FROM hooks h WHERE h.webhook_id IS NOT NULL),
            room AS (
                SELECT h.webhook_id, {perEndpoint} - coalesce(b.held, 0) AS free FROM hooks h
                LEFT JOIN unnest({busyWebhooks}, {busyWebhookCounts}) AS b(webhook_id, held) ON b.webhook_id = h.webhook_id
                WHERE h.webhook_id IS NOT NULL),
            picked AS (
                SELECT c.id, c.next_attempt_at,
                       row_number() OVER (PARTITION BY c.tenant_key ORDER BY c.next_attempt_at, c.id) + coalesce(bt.held, 0) AS tenant_rank
                FROM room r
                CROSS JOIN LATERAL (
                    SELECT d.id, d.next_attempt_at, coalesce(d.tenant_id, {InFlightCounts.PlatformWide}) AS tenant_key
                    FROM webhook_deliveries d
                    WHERE d.webhook_id = r.webhook_id AND d.state = 'pending' AND d.next_attempt_at <= {now}
                    ORDER BY d.next_attempt_at LIMIT greatest(r.free, 0)
                    FOR UPDATE SKIP LOCKED) c
                LEFT JOIN unnest({busyTenants}, {busyTenantCounts}) AS bt(tenant_key, held) ON bt.tenant_key = c.tenant_key),
            taken AS (
                SELECT id FROM picked WHERE tenant_rank <= {perTenant} ORDER BY next_attempt_at, id LIMIT {limit})
            UPDATE webhook_deliveries d SET next_attempt_at = {leased}
            FROM taken, webhooks w, webhook_events e
            WHERE d.id = taken.id AND w.id = d.webhook_id AND e.id = d.event_id
            RETURNING d.id, d.tenant_id, d.webhook_id, d.event_id, d.attempt_count, w.url, w.enabled, w.secret_cipher,
                      w.previous_secret_cipher, w.previous_secret_expires_at, w.tenant_id AS webhook_tenant_id, e.type AS event_type,
                      e.created_at AS event_created_at, e.tenant_id AS event_tenant_id, e.data::text AS data, e.trace_parent
            """).ToListAsync(cancellationToken);
        return [.. rows.Select(row => row.ToClaimed(leased))];
    }

    /// <summary>
    /// Gives back deliveries claimed ahead and never started (the worker is stopping), so they need not wait out their
    /// lease; a row whose lease is no longer this claim's (it ran out and another worker took it) is left alone.
    /// </summary>
    public async Task ReleaseAsync(IReadOnlyList<ClaimedDelivery> unsent, CancellationToken cancellationToken)
    {
        await using var db = Open();
        Guid[] ids = [.. unsent.Select(c => c.Id)];
        DateTimeOffset[] leases = [.. unsent.Select(c => c.LeasedUntil)];
        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE webhook_deliveries d SET next_attempt_at = {clock.GetUtcNow()}
            FROM unnest({ids}, {leases}) AS u(id, leased_until)
            WHERE d.id = u.id AND d.state = 'pending' AND d.next_attempt_at = u.leased_until
            """, cancellationToken);
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

    private static (Guid[] Webhooks, int[] WebhookCounts, Guid[] Tenants, int[] TenantCounts) Busy(InFlightCounts held)
    {
        Guid[] webhooks = [.. held.ByWebhook.Keys];
        Guid[] tenants = [.. held.ByTenant.Keys];
        return (webhooks, [.. webhooks.Select(id => held.ByWebhook[id])], tenants, [.. tenants.Select(id => held.ByTenant[id])]);
    }

    /// <summary>Opens a context for recording one attempt's outcome.</summary>
    public PlatformDbContext OpenForRecording() => Open();

    /// <summary>A fanned-out row as the fan-out returns it (all nulls but the count when it made none).</summary>
    private sealed record FanOutRow(
        int Events, Guid? Id, Guid? TenantId, Guid? WebhookId, Guid? EventId, int? AttemptCount, bool? Leased, string? Url, bool? Enabled,
        string? SecretCipher, string? PreviousSecretCipher, DateTimeOffset? PreviousSecretExpiresAt, Guid? WebhookTenantId,
        string? EventType, DateTimeOffset? EventCreatedAt, Guid? EventTenantId, string? Data, string? TraceParent)
    {
        public static FanOut ToFanOut(List<FanOutRow> rows, DateTimeOffset leasedUntil)
        {
            var leased = rows.Where(r => r.Leased == true).Select(r => new ClaimRow(
                r.Id!.Value, r.TenantId, r.WebhookId!.Value, r.EventId!.Value, r.AttemptCount!.Value, r.Url!, r.Enabled!.Value, r.SecretCipher!,
                r.PreviousSecretCipher, r.PreviousSecretExpiresAt, r.WebhookTenantId, r.EventType!, r.EventCreatedAt!.Value, r.EventTenantId,
                r.Data!, r.TraceParent).ToClaimed(leasedUntil));
            var left = rows.Where(r => r.Leased == false).Select(r => (r.WebhookId!.Value, r.TenantId ?? InFlightCounts.PlatformWide));
            return new FanOut(rows.Count == 0 ? 0 : rows[0].Events, [.. leased], [.. left]);
        }
    }

    /// <summary>A claimed row as the claim returns it, with its webhook's and event's columns.</summary>
    private sealed record ClaimRow(
        Guid Id, Guid? TenantId, Guid WebhookId, Guid EventId, int AttemptCount, string Url, bool Enabled, string SecretCipher,
        string? PreviousSecretCipher, DateTimeOffset? PreviousSecretExpiresAt, Guid? WebhookTenantId, string EventType,
        DateTimeOffset EventCreatedAt, Guid? EventTenantId, string Data, string? TraceParent)
    {
        public ClaimedDelivery ToClaimed(DateTimeOffset leasedUntil) => new(
            Id, TenantId, AttemptCount,
            new ClaimedWebhook(WebhookId, WebhookTenantId, Url, Enabled, SecretCipher, PreviousSecretCipher, PreviousSecretExpiresAt),
            EventId, EventType, TraceParent, WebhookBody.Write(EventId, EventType, EventCreatedAt, EventTenantId, Data), leasedUntil);
    }
}
