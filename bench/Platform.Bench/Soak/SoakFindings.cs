namespace Platform.Bench.Soak;

/// <summary>Everything measured in one soak, for the console report and the verdict rows.</summary>
internal sealed record SoakFindings(
    SoakOptions Options,
    LatencyRecorder Recorder,
    long Scheduled,
    IReadOnlyList<ProcessSample> Samples,
    IReadOnlyList<string> ProcessNames,
    IReadOnlyList<FeedSubscribers.Subscriber> Subscribers,
    IReadOnlyDictionary<Uri, string> ApiNames,
    IReadOnlyList<JobRuns> Jobs,
    IReadOnlyDictionary<string, int> JobsFired,
    string HangfireStates,
    bool DockerEnabled,
    (long Samples, long Containers) ResidentSamples,
    int Residents,
    TimeSpan PollInterval,
    string Alerts,
    string CreatedAgentsLeft,
    int ContainersLeft,
    IReadOnlyList<LogFindings> Logs,
    int TokenRefreshes,
    int Relogins)
{
    /// <summary>Job firings of the soak's schedules between two instants: rollup each minute, archival and token cleanup at even minutes, invites at odd ones.</summary>
    public static IReadOnlyDictionary<string, int> FiredBetween(DateTimeOffset from, DateTimeOffset to)
    {
        var fired = SoakChecks.Jobs.ToDictionary(j => j, _ => 0);
        var minute = new DateTimeOffset(from.Year, from.Month, from.Day, from.Hour, from.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        for (; minute <= to; minute = minute.AddMinutes(1))
        {
            fired["job.health_rollup"]++;
            var even = minute.Minute % 2 == 0;
            fired[even ? "job.audit_archival" : "job.invite_cleanup"]++;
            if (even)
            {
                fired["job.refresh_token_cleanup"]++;
            }
        }

        return fired;
    }
}
