using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Data;

namespace Platform.Worker.Jobs;

/// <summary>
/// Daily retention of sessions (refresh tokens, the security changes that revoked them, expired access tickets) and invites, in batches of <see cref="RetentionOptions.BatchSize"/> rows a
/// statement so no table is locked for long. Each statement commits on its own: an interrupted run
/// keeps what it did and the next run finishes the rest.
/// </summary>
public sealed class CleanupJobs(DbContextOptions<PlatformDbContext> dbOptions, JobAudit audit, IOptions<RetentionOptions> options, TimeProvider clock)
{
    public Task RefreshTokensAsync(CancellationToken cancellationToken) =>
        audit.RunExclusiveAsync("job.refresh_token_cleanup", async (counts, ct) =>
        {
            var cutoff = clock.GetUtcNow().AddDays(-options.Value.RefreshTokenGraceDays);
            counts.Add("deleted", await BatchAsync(
                $"""
                DELETE FROM refresh_tokens WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM refresh_tokens WHERE expires_at < {cutoff} OR revoked_at < {cutoff} LIMIT {options.Value.BatchSize}))
                """, counts, ct));

            // Security changes matter to the API replicas for an access token's lifetime (minutes); a day is ample.
            var changesCutoff = clock.GetUtcNow().AddDays(-1);
            counts.Add("security_changes_deleted", await BatchAsync(
                $"""
                DELETE FROM security_changes WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM security_changes WHERE created_at < {changesCutoff} LIMIT {options.Value.BatchSize}))
                """, counts, ct));

            // Access tickets live a minute; a used one is already gone, so only the expired, never-used ones are left.
            var now = clock.GetUtcNow();
            counts.Add("access_tickets_deleted", await BatchAsync(
                $"""
                DELETE FROM access_tickets WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM access_tickets WHERE expires_at < {now} LIMIT {options.Value.BatchSize}))
                """, counts, ct));
        }, cancellationToken);

    public Task InvitesAsync(CancellationToken cancellationToken) =>
        audit.RunExclusiveAsync("job.invite_cleanup", async (counts, ct) =>
        {
            var now = clock.GetUtcNow();
            var cutoff = now.AddDays(-options.Value.InviteRetentionDays);
            counts.Add("expired", await BatchAsync(
                $"""
                UPDATE team_invites SET status = 'expired' WHERE id IN (
                    SELECT id FROM team_invites WHERE status = 'pending' AND expires_at <= {now} LIMIT {options.Value.BatchSize})
                """, counts, ct));
            counts.Add("deleted", await BatchAsync(
                $"""
                DELETE FROM team_invites WHERE id IN (
                    SELECT id FROM team_invites
                    WHERE status IN ('expired', 'revoked', 'accepted') AND created_at < {cutoff}
                    LIMIT {options.Value.BatchSize})
                """, counts, ct));
        }, cancellationToken);

    // Batches address rows by ctid (stable within the statement): no second index probe per row, so a large cleanup
    // costs close to one bare DELETE (bench P4 measures it).
    private Task<long> BatchAsync(FormattableString statement, JobCounts counts, CancellationToken cancellationToken) =>
        BatchedStatement.RunAsync(dbOptions, statement, options.Value.BatchSize, counts, cancellationToken);
}
