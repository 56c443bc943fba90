using System.Data;
using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace Platform.AppHost.Tests;

/// <summary>One recurring job: its schedule setting, its Hangfire id and the action of the audit row each run writes.</summary>
internal sealed record RecurringJob(string Setting, string HangfireId, string AuditAction);

/// <summary>A background job Hangfire's scheduler created for a recurring job, at <c>Time</c> (its "Time" parameter).</summary>
internal sealed record TriggeredJob(long Id, string RecurringJobId, DateTimeOffset Time, string State);

/// <summary>The recurring jobs' traces at one instant: Hangfire's jobs and servers, and the runs' audit rows.</summary>
internal sealed record JobRunsSnapshot(IReadOnlyList<TriggeredJob> Triggered, IReadOnlyDictionary<string, long> AuditRows, IReadOnlyList<string> Servers)
{
    public IReadOnlyList<TriggeredJob> Of(RecurringJob job) => [.. Triggered.Where(t => t.RecurringJobId == job.HangfireId).OrderBy(t => t.Time)];

    public long AuditRowsOf(RecurringJob job) => AuditRows.GetValueOrDefault(job.AuditAction);

    public override string ToString() => string.Join(Environment.NewLine,
    [
        $"Hangfire servers: {string.Join(", ", Servers)}",
        .. JobRuns.Jobs.Select(j => $"{j.HangfireId}: {AuditRowsOf(j)} audit rows; jobs "
            + string.Join(", ", Of(j).Select(t => $"#{t.Id} {t.State} at {t.Time:HH:mm:ss}"))),
    ]);
}

internal static class JobRuns
{
    public static readonly RecurringJob[] Jobs =
    [
        new("RefreshTokenCleanup", "refresh-token-cleanup", "job.refresh_token_cleanup"),
        new("InviteCleanup", "invite-cleanup", "job.invite_cleanup"),
        new("AuditArchival", "audit-archival", "job.audit_archival"),
        new("AuditArchiveRetention", "audit-archive-retention", "job.audit_archive_retention"),
        new("HealthRollup", "container-health-rollup", "job.health_rollup"),
        new("WebhookRetention", "webhook-retention", "job.webhook_retention"),
    ];

    public static IEnumerable<string> Schedules => Jobs.Select(j => j.Setting);

    private const string TriggeredSql = """
        SELECT j.id, r.value, t.value, j.statename
        FROM hangfire.job j
        JOIN hangfire.jobparameter r ON r.jobid = j.id AND r.name = 'RecurringJobId'
        JOIN hangfire.jobparameter t ON t.jobid = j.id AND t.name = 'Time'
        """;

    private const string AuditSql = """
        SELECT action, count(*) FROM audit_logs
        WHERE actor_type::text = 'system' AND action LIKE 'job.%'
        GROUP BY action
        """;

    /// <summary>Reads everything in one repeatable-read transaction, so jobs and audit rows agree with each other.</summary>
    public static async Task<JobRunsSnapshot> ReadAsync(string ownerConnectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

        var triggered = await QueryAsync(connection, TriggeredSql, r => new TriggeredJob(
            r.GetInt64(0),
            JsonSerializer.Deserialize<string>(r.GetString(1))!,
            DateTimeOffset.FromUnixTimeSeconds(long.Parse(r.GetString(2), CultureInfo.InvariantCulture)),
            r.IsDBNull(3) ? "" : r.GetString(3)), cancellationToken);
        var audit = await QueryAsync(connection, AuditSql, r => (Action: r.GetString(0), Rows: r.GetInt64(1)), cancellationToken);
        var servers = await QueryAsync(connection, "SELECT id FROM hangfire.server", r => r.GetString(0), cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return new JobRunsSnapshot(triggered, audit.ToDictionary(a => a.Action, a => a.Rows), servers);
    }

    private static async Task<List<T>> QueryAsync<T>(
        NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
