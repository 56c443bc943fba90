namespace Platform.Bench;

/// <summary>One process's resident set and open file descriptors at a moment of the load (null: exited).</summary>
internal sealed record SoakSample(TimeSpan At, string Name, long? Rss, int? Handles);

/// <summary>
/// The soak's verdict rows, from the recorder, the RSS samples, the feed and the database (read as the owner, so row-level
/// security hides nothing). Memory is flat when the peak RSS of the last 30 % of the soak is at most 1.10× the peak of
/// 30-60 % (after warm-up).
/// </summary>
internal static class SoakReport
{
    private const string Id = "Soak";
    private static readonly string[] Jobs = ["job.audit_archival", "job.health_rollup", "job.invite_cleanup", "job.refresh_token_cleanup"];

    public static async Task<IReadOnlyList<ResultRow>> VerdictAsync(BenchEnvironment environment, SoakOptions options, LatencyRecorder r, LatencyRecorder refreshes,
        long scheduled, IReadOnlyList<SoakSample> samples, IReadOnlyList<FeedSubscriber> subscribers, IReadOnlyList<Guid>? residents,
        (DateTimeOffset WorkerStarted, DateTimeOffset LoadStarted, DateTimeOffset LoadEnded) times)
    {
        var title = $"Soak {options.Describe()}";
        var (errors, answered, latencies) = (r.Count(Outcome.ServerError) + refreshes.Count(Outcome.ServerError), r.Answered(), r.Latencies());
        var rows = new List<ResultRow>
        {
            new(Id, $"{title}: 5xx answers", $"{N(errors)} of {N(r.Total() + refreshes.Total())}", "-", "-", "0", errors == 0),
            new(Id, $"{title}: requests answered vs scheduled (latency from the scheduled time)", $"{N(answered)} (p50 {Ms(PercentileOfSorted(latencies, 0.5))}, " +
                $"p99 {Ms(PercentileOfSorted(latencies, 0.99))}; {N(r.Count(Outcome.OtherStatus))} other statuses, {N(r.Count(Outcome.Timeout))} timeouts)",
                N(scheduled), Ratio(answered, scheduled), "≥ 0.99×", scheduled > 0 && answered >= 0.99 * scheduled),
        };
        foreach (var own in samples.GroupBy(s => s.Name).Select(g => g.ToList()))
        {
            long Peak(double from, double to) => own.Where(s => s.At >= options.Duration * from && s.At <= options.Duration * to).Select(s => s.Rss ?? 0).DefaultIfEmpty(0).Max();
            var (middle, last) = (Peak(0.3, 0.6), Peak(0.7, 10)); // the last window includes the sample taken after the load
            var alive = own.All(s => s.Rss is not null) && middle > 0 && last > 0;
            rows.Add(new(Id, $"{title}: {own[0].Name} RSS, peak of the last 30 % vs of 30-60 %",
                alive ? $"{Mib(last)} (start {Mib(own[0].Rss ?? 0)}; open fds {own[0].Handles} at the start, {own[^1].Handles} at the end)" : "exited or too few samples",
                Mib(middle), Ratio(last, middle), "flat: ≤ 1.10× and alive", alive && last <= 1.10 * middle));
        }

        var (expected, received) = (subscribers.Sum(s => s.Expected.Count), subscribers.Sum(s => s.Received));
        var missing = subscribers.Sum(s => s.Expected.Count(a => !s.HasReceived(a)));
        rows.Add(new(Id, $"{title}: SSE activity events received vs expected ({subscribers.Count} subscribers, {subscribers.Sum(s => s.Reconnects)} streams resumed)",
            $"{N(received)} ({N(missing)} missing)", N(expected), Ratio(received, expected), "none missing", expected > 0 && missing == 0));

        var runs = (await Sql.ScalarAsync<string>(environment.Database.OwnerConnectionString, """
            SELECT coalesce(string_agg(concat_ws(' ', action, runs, failed), ','), '') FROM (
                SELECT action, count(*) AS runs, count(*) FILTER (WHERE severity <> 'info') AS failed FROM audit_logs
                WHERE actor_type = 'system' AND action LIKE 'job.%' AND created_at >= @since GROUP BY action) AS j
            """, new Dictionary<string, object> { ["since"] = times.WorkerStarted })).Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(j => j.Split(' ')).ToDictionary(j => j[0], j => (Runs: long.Parse(j[1], CultureInfo.InvariantCulture), Failed: long.Parse(j[2], CultureInfo.InvariantCulture)));
        var jobs = Jobs.Select(j => (Name: j[4..], Run: runs.GetValueOrDefault(j), Fired: Fired(j, times.WorkerStarted, DateTimeOffset.UtcNow))).ToList();
        rows.Add(new(Id, $"{title}: recurring jobs run (system audit rows)", string.Join(", ", jobs.Select(j => $"{j.Name} {j.Run.Runs}{(j.Run.Failed > 0 ? $" ({j.Run.Failed} failed)" : "")}")),
            "fired: " + string.Join(", ", jobs.Select(j => $"{j.Name} {j.Fired}")), "-", "each fired job ran, none failed", jobs.All(j => j.Run.Failed == 0 && (j.Run.Runs > 0 || j.Fired == 0))));
        if (residents is not null)
        {
            var samplesTaken = await Sql.ScalarAsync<long>(environment.Database.OwnerConnectionString, "SELECT count(*) FROM container_health WHERE resolution = 'raw' " +
                "AND agent_id = ANY(@ids) AND recorded_at >= @from AND recorded_at < @to", new Dictionary<string, object> { ["ids"] = residents.ToArray(), ["from"] = times.LoadStarted, ["to"] = times.LoadEnded });
            var expectedSamples = residents.Count * (long)(options.Duration / SoakOptions.PollInterval);
            rows.Add(new(Id, $"{title}: Docker poller, health samples of the {residents.Count} resident agents' containers (one per {SoakOptions.PollInterval.TotalSeconds:0} s sweep)",
                N(samplesTaken), N(expectedSamples), Ratio(samplesTaken, expectedSamples), "≥ 0.90×", samplesTaken >= 0.9 * expectedSamples));
        }

        return rows;
    }

    /// <summary>Firings of the soak's schedules in (from, to]: rollup each minute, archival and token cleanup at even minutes, invites at odd ones.</summary>
    private static int Fired(string job, DateTimeOffset from, DateTimeOffset to)
    {
        var fired = 0;
        for (var minute = new DateTimeOffset(from.Year, from.Month, from.Day, from.Hour, from.Minute, 0, TimeSpan.Zero).AddMinutes(1); minute <= to; minute = minute.AddMinutes(1))
            fired += job == "job.health_rollup" || (minute.Minute % 2 == 0) == (job != "job.invite_cleanup") ? 1 : 0;

        return fired;
    }
}
