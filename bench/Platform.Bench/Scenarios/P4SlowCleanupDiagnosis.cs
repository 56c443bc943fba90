using static Platform.Bench.Scenarios.Formatting;

namespace Platform.Bench.Scenarios;

/// <summary>
/// When P4's job is slower than the goal: the plans (printed) of its batch statement (as CleanupJobs has it: rows
/// addressed by ctid) and of the bare DELETE, and, each on a fresh copy, a bare DELETE next to the job with a larger
/// BatchSize (configuration only).
/// </summary>
internal static class P4SlowCleanupDiagnosis
{
    private const int LargeBatchSize = 50_000;

    public static async Task<IReadOnlyList<ResultRow>> DiagnoseAsync(IScenario scenario, TemplateDatabase template, double bareSeconds)
    {
        var jobBatch = $"DELETE FROM refresh_tokens WHERE ctid = ANY(ARRAY(SELECT ctid FROM refresh_tokens WHERE expires_at < now() - interval '1 day' " +
            $"OR revoked_at < now() - interval '1 day' LIMIT {P4CleanupRuns.BatchSize}))";
        await using (var copy = await template.CopyAsync("explain"))
        {
            Console.WriteLine($"P4 diagnosis: EXPLAIN ANALYZE of the job's batch statement:\n{await Sql.ExplainAnalyzeAsync(copy.AppConnectionString, jobBatch)}");
            Console.WriteLine($"P4 diagnosis: EXPLAIN ANALYZE of the bare DELETE:\n{await Sql.ExplainAnalyzeAsync(copy.AppConnectionString, P4CleanupRuns.BareDelete)}");
        }

        double bareAgain;
        await using (var copy = await template.CopyAsync("bare"))
        {
            bareAgain = await P4CleanupRuns.BareDeleteAsync(copy);
        }

        P4CleanupRuns.CleanupRun large;
        await using (var copy = await template.CopyAsync("large"))
        {
            large = await P4CleanupRuns.CleanupAsync(copy, LargeBatchSize);
        }

        Console.WriteLine($"P4 diagnosis: bare DELETE {F(bareAgain, "0.00")} s (median before {F(bareSeconds, "0.00")} s); " +
            $"job with BatchSize {LargeBatchSize:N0} {F(large.Seconds, "0.00")} s ({P4CleanupRuns.DescribeBatches(large.Batches)})");
        return
        [
            new ResultRow(scenario.Id, $"{scenario.Title}: the job with Retention:BatchSize = {LargeBatchSize:N0} (configuration)",
                $"{F(large.Seconds, "0.00")} s ({large.Batches.Count} batches)", $"{F(bareAgain, "0.00")} s", ResultsTable.Ratio(large.Seconds, bareAgain), "(context)"),
        ];
    }
}
