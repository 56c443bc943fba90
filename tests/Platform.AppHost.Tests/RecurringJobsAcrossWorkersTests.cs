namespace Platform.AppHost.Tests;

/// <summary>
/// Two workers share Hangfire's storage: each occurrence of a recurring job becomes one background job,
/// which runs once (one audit row), whichever worker's scheduler and worker pick it up.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class RecurringJobsAcrossWorkersTests(ScaleOutApp app)
{
    // Every job is due each minute (see ScaleOutApp): two occurrences each are in sight within three minutes of the start.
    private const int Occurrences = 2;
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(3);

    // "" is a job Hangfire has just created: it writes the job row first and its first state in a later transaction.
    private static readonly HashSet<string> InFlight = new(["", "Enqueued", "Processing", "Awaiting"], StringComparer.Ordinal);

    [Fact(Timeout = 600_000)]
    public async Task Each_recurring_job_runs_once_per_occurrence_with_two_workers()
    {
        var ct = TestContext.Current.CancellationToken;
        app.Describe();
        var snapshot = await WaitForSettledRunsAsync(ct);
        TestContext.Current.TestOutputHelper?.WriteLine(snapshot.ToString());

        // Both workers take part: each process registered its own Hangfire server ("machine:pid…:guid").
        Assert.True(snapshot.Servers.Select(s => s[..s.LastIndexOf(':')]).Distinct(StringComparer.Ordinal).Count() == ScaleOutApp.WorkerReplicaCount,
            $"Expected a Hangfire server in each of the {ScaleOutApp.WorkerReplicaCount} worker processes:\n{snapshot}");

        foreach (var job in JobRuns.Jobs)
        {
            var runs = snapshot.Of(job);
            var occurrences = runs.Select(r => r.Time.ToUnixTimeSeconds() / 60).ToList();
            Assert.True(occurrences.Distinct().Count() == runs.Count, $"{job.HangfireId}: an occurrence was triggered twice.\n{snapshot}");
            Assert.True(occurrences.Max() - occurrences.Min() + 1 == runs.Count, $"{job.HangfireId}: an occurrence was skipped.\n{snapshot}");
            Assert.True(snapshot.AuditRowsOf(job) == runs.Count, $"{job.HangfireId}: runs and audit rows differ.\n{snapshot}");
        }
    }

    /// <summary>Polls until every job has run <see cref="Occurrences"/> times and none is in flight, so the counts are final.</summary>
    private async Task<JobRunsSnapshot> WaitForSettledRunsAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + MaxWait;
        while (true)
        {
            var snapshot = await JobRuns.ReadAsync(app.OwnerConnectionString, cancellationToken);
            var failed = snapshot.Triggered.Where(t => t.State != "Succeeded" && !InFlight.Contains(t.State)).ToList();
            Assert.True(failed.Count == 0, $"Jobs did not succeed (see the worker's log):\n{snapshot}");

            var settled = JobRuns.Jobs.All(j => snapshot.Of(j).Count >= Occurrences) && snapshot.Triggered.All(t => t.State == "Succeeded");
            if (settled)
            {
                return snapshot;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Not {Occurrences} finished runs of every job after {MaxWait.TotalMinutes} minutes:\n{snapshot}");
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        }
    }
}
