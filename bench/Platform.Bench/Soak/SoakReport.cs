using Npgsql;
using static Platform.Bench.Scenarios.Formatting;
using static Platform.Bench.Scenarios.Statistics;

namespace Platform.Bench.Soak;

/// <summary>Warnings and errors an app logged, with the first distinct error messages as evidence.</summary>
internal sealed record LogFindings(string Name, int Warnings, int Errors, IReadOnlyList<string> FirstErrors);

/// <summary>
/// What one soak found, printed (per minute, per request kind, memory, the feed, jobs, logs) and judged in the verdict rows.
/// Memory is flat when the peak RSS of the last 30 % of the soak is at most 1.10× the peak of 30-60 % (after warm-up).
/// </summary>
internal sealed class SoakReport(
    SoakOptions options, LatencyRecorder recorder, long scheduled, IReadOnlyList<(TimeSpan At, string Name, long? Rss, double Cores)> samples,
    IReadOnlyList<string> processNames, IReadOnlyList<FeedSubscribers.Subscriber> subscribers, IReadOnlyDictionary<Uri, string> apiNames,
    bool docker, int residents, int refreshes, int relogins, IReadOnlyList<LogFindings> logs)
{
    public const string ResidentMarker = "-resident-";
    private static readonly string[] Jobs = ["job.audit_archival", "job.health_rollup", "job.invite_cleanup", "job.refresh_token_cleanup"];
    private readonly Dictionary<string, (long Runs, long Failed, long MaxMs, int Fired)> _jobs = [];
    private (long Samples, long Containers) _residentSamples;
    private string _hangfire = "", _alerts = "", _agentsLeft = "";

    /// <summary>Reads what the database says (as the owner, so row-level security hides nothing): job runs, Hangfire, poller samples, alerts, agents.</summary>
    public async Task QueryAsync(BenchEnvironment environment, DateTimeOffset workerStarted, DateTimeOffset loadStarted, DateTimeOffset loadEnded, IReadOnlyList<Guid> residentIds, string runId)
    {
        await using var connection = environment.OwnerConnection();
        await connection.OpenAsync();
        async Task<List<string[]>> Query(string sql, params (string Name, object Value)[] parameters)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 120 };
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            var rows = new List<string[]>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "")]);
            }

            return rows;
        }

        var runs = await Query("""
            SELECT action, count(*), count(*) FILTER (WHERE severity <> 'info'), coalesce(max((details->>'durationMs')::bigint), 0)
            FROM audit_logs WHERE actor_type = 'system' AND action LIKE 'job.%' AND created_at >= @since GROUP BY action
            """, ("since", workerStarted));
        foreach (var job in Jobs)
        {
            var row = runs.FirstOrDefault(r => r[0] == job) ?? [job, "0", "0", "0"];
            _jobs[job] = (long.Parse(row[1]), long.Parse(row[2]), long.Parse(row[3]), Fired(job, workerStarted, DateTimeOffset.UtcNow));
        }

        static string Join(List<string[]> rows) => rows.Count == 0 ? "none" : string.Join(", ", rows.Select(r => string.Join(' ', r)));
        try
        {
            _hangfire = Join(await Query("SELECT coalesce(statename, '(none)'), count(*) FROM hangfire.job GROUP BY 1 ORDER BY 1"));
        }
        catch (PostgresException ex)
        {
            _hangfire = $"unreadable ({ex.MessageText})";
        }

        var resident = (await Query("SELECT count(*), count(DISTINCT container_id) FROM container_health WHERE resolution = 'raw' AND agent_id = ANY(@ids) " +
            "AND recorded_at >= @from AND recorded_at < @to", ("ids", residentIds.ToArray()), ("from", loadStarted), ("to", loadEnded)))[0];
        _residentSamples = (long.Parse(resident[0]), long.Parse(resident[1]));
        _alerts = Join(await Query("SELECT kind, count(*) FROM alerts WHERE created_at >= @since GROUP BY kind ORDER BY 2 DESC", ("since", loadStarted)));
        _agentsLeft = Join(await Query($"SELECT status::text, count(*) FROM agents WHERE name LIKE 'soak-{runId}-%' AND name NOT LIKE '%{ResidentMarker}%' GROUP BY 1 ORDER BY 1"));
    }

    public void Print()
    {
        var r = recorder;
        Console.WriteLine($"\n== Soak report: {options.Describe()}\nLatency is from each request's scheduled time to its last byte (open loop).\n");
        Console.WriteLine("| minute or kind | requests | 2xx | 5xx | other status | timeouts | connection | not sent | p50 | p99 | max |\n|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (label, kind, minute) in Enumerable.Range(0, r.Minutes).Select(m => ($"minute {m + 1}", (string?)null, (int?)m)).Concat(r.Kinds.Select(k => (k, (string?)k, (int?)null))))
        {
            var latencies = r.Latencies(kind, minute);
            Console.WriteLine($"| {label} | {string.Join(" | ", Enum.GetValues<Outcome>().Select(o => r.Count(o, kind, minute)).Prepend(r.Total(kind, minute)))} | " +
                $"{Ms(PercentileOfSorted(latencies, 0.5))} | {Ms(PercentileOfSorted(latencies, 0.99))} | {Ms(latencies.DefaultIfEmpty(double.NaN).Last())} |");
        }

        foreach (var line in r.StatusSummary(_ => true))
        {
            Console.WriteLine($"  non-2xx: {line}");
        }

        foreach (var name in processNames)
        {
            Console.WriteLine($"{name} every 30 s, MiB/cores: {string.Join(" ", samples.Where(s => s.Name == name).Select(s => s.Rss is { } b ? $"{b / 1048576.0:0}/{s.Cores:0.00}" : "exited"))}");
        }

        Console.WriteLine($"SSE: {subscribers.Count} subscribers received {N(subscribers.Sum(s => s.Received))} of {N(subscribers.Sum(s => s.Tenant.Posted.Count))} " +
            $"activity events; {subscribers.Sum(s => s.Reconnects)} streams resumed");
        foreach (var missed in Missed().Take(10))
        {
            Console.WriteLine($"    activity {missed.Activity} (tenant {missed.Tenant}): missed by {missed.Who}");
        }

        Console.WriteLine($"Sessions: {refreshes} token refreshes, {relogins} logins again after a refused refresh");
        Console.WriteLine("Jobs since the worker started: " + string.Join(", ", _jobs.Select(j => $"{j.Key} {j.Value.Runs} run(s) of {j.Value.Fired} fired, {j.Value.Failed} failed, longest {F(j.Value.MaxMs / 1000.0)} s")));
        Console.WriteLine($"Hangfire jobs by state: {_hangfire}; alerts opened: {_alerts}; agents created by the soak and not deleted: {_agentsLeft}");
        foreach (var log in logs)
        {
            Console.WriteLine($"Log {log.Name}: {log.Errors} errors, {log.Warnings} warnings{string.Concat(log.FirstErrors.Select(e => "\n    " + e))}");
        }
    }

    public IReadOnlyList<ResultRow> Verdict()
    {
        const string Id = "Soak";
        var title = $"Soak {options.Describe()}";
        var r = recorder;
        var errors = r.Count(Outcome.ServerError);
        var refreshesAnswered = r.Count(Outcome.Success, UserSession.RefreshKind) + r.Count(Outcome.ServerError, UserSession.RefreshKind) + r.Count(Outcome.OtherStatus, UserSession.RefreshKind);
        var answered = r.Count(Outcome.Success) + errors + r.Count(Outcome.OtherStatus) - refreshesAnswered;
        var latencies = r.Latencies();
        var worst = Enumerable.Range(0, r.Minutes).Select(m => (Minute: m + 1, P99: PercentileOfSorted(r.Latencies(minute: m), 0.99))).MaxBy(x => x.P99);
        var (expected, received, missing) = (subscribers.Sum(s => s.Tenant.Posted.Count), subscribers.Sum(s => s.Received), Missed().Count);
        var expectedSamples = residents * (long)(options.Duration / SoakCommand.PollInterval);
        var rows = new List<ResultRow>
        {
            new(Id, $"{title}: 5xx answers", $"{N(errors)} of {N(r.Total())}", "-", "-", "0", errors == 0),
            new(Id, $"{title}: failures other than 5xx", $"other statuses {N(r.Count(Outcome.OtherStatus))} {string.Join(", ", r.StatusSummary(s => s < 500).Take(4))}, " +
                $"timeouts {N(r.Count(Outcome.Timeout))}, connection errors {N(r.Count(Outcome.ConnectionError))}, not sent {N(r.Count(Outcome.NotSent))}", "-", "-", "(context)"),
            new(Id, $"{title}: requests answered vs scheduled", N(answered), N(scheduled), ResultsTable.Ratio(answered, scheduled), "≥ 0.99×", scheduled > 0 && answered >= 0.99 * scheduled),
            new(Id, $"{title}: latency overall; worst minute", $"p50 {Ms(PercentileOfSorted(latencies, 0.5))}, p99 {Ms(PercentileOfSorted(latencies, 0.99))}; " +
                $"minute {worst.Minute} p99 {Ms(worst.P99)}", "-", "-", "(context)"),
        };
        foreach (var name in processNames)
        {
            var own = samples.Where(s => s.Name == name).ToList();
            long Peak(double from, double to) => own.Where(s => s.At >= options.Duration * from && s.At <= options.Duration * to).Select(s => s.Rss ?? 0).DefaultIfEmpty(0).Max();
            var (middle, last) = (Peak(0.3, 0.6), Peak(0.7, 10)); // the last window includes the sample taken after the load
            var alive = own.All(s => s.Rss is not null) && middle > 0 && last > 0;
            rows.Add(new(Id, $"{title}: {name} RSS, peak of the last 30 % vs of 30-60 %", alive ? $"{Mib(last)} (start {Mib(own[0].Rss ?? 0)})" : "exited or too few samples",
                Mib(middle), ResultsTable.Ratio(last, middle), "flat: ≤ 1.10× and alive", alive && last <= 1.10 * middle));
        }

        rows.Add(new(Id, $"{title}: SSE activity events received vs expected ({subscribers.Count} subscribers, {subscribers.Sum(s => s.Reconnects)} resumed)",
            $"{N(received)} ({missing} activities missed by someone, {Missed().Count(m => m.OneInstance)} of them by all of one instance only)", N(expected),
            ResultsTable.Ratio(received, expected), "none missing", expected > 0 && missing == 0));
        rows.Add(new(Id, $"{title}: recurring jobs run (system audit rows)", string.Join(", ", _jobs.Select(j => $"{j.Key[4..]} {j.Value.Runs}{(j.Value.Failed > 0 ? $" ({j.Value.Failed} failed)" : "")}")),
            "fired: " + string.Join(", ", _jobs.Select(j => $"{j.Key[4..]} {j.Value.Fired}")), "-", "each fired job ran, none failed",
            _jobs.Values.All(j => j.Failed == 0 && (j.Runs > 0 || j.Fired == 0))));
        rows.Add(docker
            ? new(Id, $"{title}: Docker poller, health samples of the {residents} resident agents' containers (one per {SoakCommand.PollInterval.TotalSeconds:0} s sweep)",
                $"{N(_residentSamples.Samples)} of {_residentSamples.Containers} containers", N(expectedSamples), ResultsTable.Ratio(_residentSamples.Samples, expectedSamples),
                "≥ 0.90×", _residentSamples.Samples >= 0.9 * expectedSamples)
            : new(Id, $"{title}: Docker poller", "off (no Docker engine)", "-", "-", "(context)"));
        rows.Add(new(Id, $"{title}: agents created/deleted through the API; errors the apps logged", $"{N(r.Count(Outcome.Success, "POST /agents"))} created, " +
            $"{N(r.Count(Outcome.Success, "DELETE /agents/{id}"))} deleted, left: {_agentsLeft}; alerts: {_alerts}; " +
            string.Join("; ", logs.Select(l => $"{l.Name} {l.Errors} errors, {l.Warnings} warnings")), "-", "-", "(context)"));
        return rows;
    }

    /// <summary>Counts the console logger's "warn:" and "fail:"/"crit:" entries; an error's message is the entry's next line.</summary>
    public static LogFindings ScanLog(string name, string path)
    {
        var lines = File.Exists(path) ? File.ReadAllLines(path) : [];
        var errors = Enumerable.Range(0, lines.Length).Where(i => lines[i].StartsWith("fail:", StringComparison.Ordinal) || lines[i].StartsWith("crit:", StringComparison.Ordinal)).ToList();
        var first = errors.Select(i => $"{lines[i].Trim()} {(i + 1 < lines.Length ? lines[i + 1].Trim() : "")}").Distinct().Take(5).Select(m => m.Length > 400 ? m[..400] + " …" : m);
        return new LogFindings(name, lines.Count(l => l.StartsWith("warn:", StringComparison.Ordinal)), errors.Count, [.. first]);
    }

    /// <summary>Firings of the soak's schedules in (from, to]: rollup each minute, archival and token cleanup at even minutes, invites at odd ones.</summary>
    private static int Fired(string job, DateTimeOffset from, DateTimeOffset to)
    {
        var fired = 0;
        for (var minute = new DateTimeOffset(from.Year, from.Month, from.Day, from.Hour, from.Minute, 0, TimeSpan.Zero).AddMinutes(1); minute <= to; minute = minute.AddMinutes(1))
        {
            fired += job == "job.health_rollup" || (minute.Minute % 2 == 0) == (job != "job.invite_cleanup") ? 1 : 0;
        }

        return fired;
    }

    /// <summary>Posted activities some subscriber of the tenant did not receive: who missed them, per API instance.</summary>
    private List<(int Tenant, Guid Activity, string Who, bool OneInstance)> Missed() =>
        [.. subscribers.GroupBy(s => s.Tenant).SelectMany(group => group.Key.Posted.Select(activity =>
        {
            var byApi = group.GroupBy(s => s.Api).Select(g => (Api: apiNames.GetValueOrDefault(g.Key, g.Key.Authority), Missed: g.Count(s => !s.HasReceived(activity)), Of: g.Count())).ToList();
            return (group.Key.Number, activity, string.Join(", ", byApi.Select(a => $"{a.Missed} of {a.Of} on {a.Api}")), byApi.Count > 1 && byApi.Count(a => a.Missed == a.Of) == 1
                && byApi.Count(a => a.Missed == 0) == byApi.Count - 1, byApi.Any(a => a.Missed > 0));
        })).Where(m => m.Item5).Select(m => (m.Number, m.activity, m.Item3, m.Item4))];
}
