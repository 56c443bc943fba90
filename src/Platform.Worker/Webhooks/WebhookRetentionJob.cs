using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Data;
using Platform.Worker.Jobs;

namespace Platform.Worker.Webhooks;

/// <summary>
/// Daily retention of the webhook tables, which otherwise grow with every event: finished deliveries (delivered or
/// failed) last changed more than <see cref="WebhookRetentionOptions.RetentionDays"/> ago go with their attempts (the
/// foreign key cascades, so a delivery and its attempts go together), then the dispatched events older than that which
/// no delivery refers to any more. A pending delivery, an undispatched event and an event whose delivery finished
/// recently all stay. In batches of <see cref="RetentionOptions.BatchSize"/>, under the job's lock, audited.
/// </summary>
public sealed class WebhookRetentionJob(
    DbContextOptions<PlatformDbContext> dbOptions, JobAudit audit, IOptions<RetentionOptions> batches,
    IOptions<WebhookRetentionOptions> options, TimeProvider clock)
{
    public const string Action = "job.webhook_retention";

    public Task RunAsync(CancellationToken cancellationToken) =>
        audit.RunExclusiveAsync(Action, async (counts, ct) =>
        {
            var cutoff = clock.GetUtcNow().AddDays(-options.Value.RetentionDays);
            var batch = batches.Value.BatchSize;
            counts.Add("deliveries_deleted", await BatchedStatement.RunAsync(dbOptions,
                $"""
                DELETE FROM webhook_deliveries WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM webhook_deliveries
                    WHERE state IN ('delivered', 'failed') AND updated_at < {cutoff} LIMIT {batch}))
                """, batch, counts, ct));

            // Fan-out only ever adds deliveries to undispatched events, so an event found without any stays without.
            counts.Add("events_deleted", await BatchedStatement.RunAsync(dbOptions,
                $"""
                DELETE FROM webhook_events WHERE ctid = ANY(ARRAY(
                    SELECT e.ctid FROM webhook_events e
                    WHERE e.dispatched_at IS NOT NULL AND e.created_at < {cutoff}
                      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)
                    LIMIT {batch}))
                """, batch, counts, ct));
        }, cancellationToken);
}
