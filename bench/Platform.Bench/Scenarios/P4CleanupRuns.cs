using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Worker.Jobs;
using static Platform.Bench.Scenarios.Checks;
using static Platform.Bench.Scenarios.Formatting;
using static Platform.Bench.Scenarios.Statistics;

namespace Platform.Bench.Scenarios;

/// <summary>One run of P4's two sides on a copy of its database: the Worker's refresh-token cleanup, or one bare DELETE.</summary>
internal static class P4CleanupRuns
{
    public const int Tokens = 1_000_000;
    public const int BatchSize = 5_000;

    public const string BareDelete = "DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day'";

    public sealed record CleanupRun(double Seconds, long Deleted, IReadOnlyList<double> Batches);

    public static async Task<double> BareDeleteAsync(TemplateDatabase copy)
    {
        var watch = Stopwatch.StartNew();
        var deleted = await Sql.ExecuteAsync(copy.AppConnectionString, BareDelete);
        var seconds = watch.Elapsed.TotalSeconds;
        Check(deleted == Tokens, $"the bare DELETE removed {deleted} rows, not {Tokens}");
        return seconds;
    }

    /// <summary>One run of the job as Hangfire runs it (through JobAudit), timing each of its DELETE statements.</summary>
    public static async Task<CleanupRun> CleanupAsync(TemplateDatabase copy, int batchSize = BatchSize)
    {
        var timer = new EfStatementTimer(sql => sql.Contains("DELETE FROM refresh_tokens", StringComparison.Ordinal) ? "batch" : null);
        var options = ScenarioDatabases.AppOptions(copy.AppConnectionString, timer);
        var jobs = new CleanupJobs(options, new JobAudit(options, NullLogger<JobAudit>.Instance, TimeProvider.System),
            Options.Create(new RetentionOptions { BatchSize = batchSize }), TimeProvider.System);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var watch = Stopwatch.StartNew();
        await jobs.RefreshTokensAsync(limit.Token);
        var seconds = watch.Elapsed.TotalSeconds;
        var expiredLeft = await Sql.ScalarAsync<long>(copy.OwnerConnectionString, "SELECT count(*) FROM refresh_tokens WHERE expires_at < now() - interval '1 day'");
        Check(expiredLeft == 0, $"the cleanup job left {expiredLeft} expired tokens");
        var deleted = await Sql.ScalarAsync<long>(copy.OwnerConnectionString,
            "SELECT coalesce(sum((details -> 'counts' ->> 'deleted')::bigint), 0)::bigint FROM audit_logs WHERE action = 'job.refresh_token_cleanup'");
        return new CleanupRun(seconds, deleted, timer.Durations("batch"));
    }

    public static string DescribeBatches(IReadOnlyList<double> batches) => batches.Count == 0 ? "-" :
        $"{batches.Count} batches: first {F(batches[0], "0")}, median {F(Median(batches), "0")}, p90 {F(Percentile(batches, 0.9), "0")}, " +
        $"last full {F(batches[Math.Max(0, batches.Count - 2)], "0")}, max {F(batches.Max(), "0")}; sum {F(batches.Sum() / 1000, "0.0")} s";
}
