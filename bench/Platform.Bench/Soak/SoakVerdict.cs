using static Platform.Bench.Soak.LatencyRecorder;
using static Platform.Bench.Soak.SoakReport;

namespace Platform.Bench.Soak;

/// <summary>
/// The soak's rows for bench/RESULTS.md. Memory is "flat" when the peak RSS of the last 30 % of the soak
/// (minutes 7-10 of 10) is at most 1.10× the peak of 30-60 % (minutes 3-6, after warm-up).
/// </summary>
internal static class SoakVerdict
{
    public const string Id = "Soak";
    private const double FlatRssRatio = 1.10;

    public static IReadOnlyList<ResultRow> Rows(SoakFindings f)
    {
        var r = f.Recorder;
        var title = $"Soak {f.Options.Describe()}";
        var total = r.Total();
        var errors5xx = r.Count(Outcome.ServerError);
        var refreshes = r.Total(UserSession.RefreshKind) - r.Count(Outcome.Timeout, UserSession.RefreshKind) - r.Count(Outcome.ConnectionError, UserSession.RefreshKind);
        var answered = r.Count(Outcome.Success) + errors5xx + r.Count(Outcome.OtherStatus) - refreshes;
        var latencies = r.Latencies();
        var worst = Enumerable.Range(0, r.Minutes).Select(m => (Minute: m + 1, P99: Percentile(r.Latencies(minute: m), 0.99))).MaxBy(x => x.P99);
        var other = $"other statuses {N(r.Count(Outcome.OtherStatus))}{Statuses(r)}, timeouts {N(r.Count(Outcome.Timeout))}, " +
            $"connection errors {N(r.Count(Outcome.ConnectionError))}, not sent {N(r.Count(Outcome.NotSent))}";

        var rows = new List<ResultRow>
        {
            new(Id, $"{title}: 5xx answers", $"{N(errors5xx)} of {N(total)}", "-", "-", "0", errors5xx == 0),
            new(Id, $"{title}: failures other than 5xx", other, "-", "-", "(context)"),
            new(Id, $"{title}: requests answered vs scheduled", N(answered), N(f.Scheduled), ResultsTable.Ratio(answered, f.Scheduled), "≥ 0.99×",
                f.Scheduled > 0 && answered >= 0.99 * f.Scheduled),
            new(Id, $"{title}: latency overall; worst minute", $"p50 {Ms(Percentile(latencies, 0.5))}, p99 {Ms(Percentile(latencies, 0.99))}; " +
                $"minute {worst.Minute} p99 {Ms(worst.P99)}", "-", "-", "(context)"),
        };
        rows.AddRange(f.ProcessNames.Select(name => RssRow(f, title, name)));

        var expected = f.Subscribers.Sum(s => s.Tenant.ActivitiesPosted);
        var received = f.Subscribers.Sum(s => s.Received);
        rows.Add(new(Id, $"{title}: SSE activity events received vs expected ({f.Subscribers.Count} subscribers, {f.Subscribers.Sum(s => s.Reconnects)} resumed)",
            $"{N(received)} (missing {N(Missing(f))}: {MissedSummary(f)}; extra {N(Extra(f))})", N(expected), ResultsTable.Ratio(received, expected), "none missing",
            expected > 0 && Missing(f) == 0));

        var jobsMet = f.Jobs.All(j => j.Failed == 0 && (j.Runs > 0 || f.JobsFired[j.Action] == 0));
        rows.Add(new(Id, $"{title}: recurring jobs run (system audit rows)",
            string.Join(", ", f.Jobs.Select(j => $"{j.Action[4..]} {j.Runs}{(j.Failed > 0 ? $" ({j.Failed} failed)" : "")}")),
            "fired: " + string.Join(", ", f.Jobs.Select(j => $"{j.Action[4..]} {f.JobsFired[j.Action]}")), "-", "each fired job ran, none failed", jobsMet));
        var expectedSamples = ExpectedSamples(f);
        rows.Add(f.DockerEnabled
            ? new(Id, $"{title}: Docker poller, health samples of the {f.Residents} resident agents' containers (one per {f.PollInterval.TotalSeconds:0} s sweep)",
                $"{N(f.ResidentSamples.Samples)} of {f.ResidentSamples.Containers} containers", N(expectedSamples), ResultsTable.Ratio(f.ResidentSamples.Samples, expectedSamples),
                "≥ 0.90×", f.ResidentSamples.Samples >= 0.9 * expectedSamples)
            : new(Id, $"{title}: Docker poller", "off (no Docker engine)", "-", "-", "(context)"));
        rows.Add(new(Id, $"{title}: agents created and deleted through the API (worker provisions and removes their containers)",
            $"{N(r.Count(Outcome.Success, "POST /agents"))} created, {N(r.Count(Outcome.Success, "DELETE /agents/{id}"))} deleted; left: agents {f.CreatedAgentsLeft}, " +
            $"{(f.DockerEnabled ? $"containers {f.ContainersLeft} (with the {f.Residents} resident)" : "no Docker")}; alerts opened: {f.Alerts}", "-", "-", "(context)"));
        rows.Add(new(Id, $"{title}: errors logged by the apps",
            string.Join("; ", f.Logs.Select(l => $"{l.Name} {l.Errors + l.Critical} errors, {l.Warnings} warnings")), "-", "-", "(context)"));
        return rows;
    }

    private static ResultRow RssRow(SoakFindings f, string title, string name)
    {
        var duration = f.Options.Duration;
        var samples = f.Samples.Where(s => s.Name == name).ToList();
        var exited = samples.Any(s => s.RssBytes is null);
        var reference = Peak(samples.Where(s => s.At >= duration * 0.3 && s.At <= duration * 0.6));
        var last = Peak(samples.Where(s => s.At >= duration * 0.7));
        var window = $"{F(duration.TotalMinutes * 0.7, "0.#")}-{F(duration.TotalMinutes, "0.#")} min";
        var referenceWindow = $"{F(duration.TotalMinutes * 0.3, "0.#")}-{F(duration.TotalMinutes * 0.6, "0.#")} min";
        if (exited || reference == 0 || last == 0)
        {
            return new(Id, $"{title}: {name} RSS", exited ? "process exited" : "not enough samples", "-", "-", $"flat: peak ≤ {FlatRssRatio:0.00}× and alive", false);
        }

        var start = samples[0].RssBytes ?? 0;
        return new(Id, $"{title}: {name} RSS, peak of {window} vs of {referenceWindow}", $"{Mib(last)} (start {Mib(start)})", Mib(reference),
            ResultsTable.Ratio(last, reference), $"flat: ≤ {FlatRssRatio:0.00}×", last <= FlatRssRatio * reference);
    }

    private static string MissedSummary(SoakFindings f)
    {
        var missed = MissedActivities(f);
        return missed.Count == 0 ? "none" : $"{missed.Count} activities, {missed.Count(m => m.LostOnOneInstance)} lost for all subscribers of one instance only";
    }

    private static long Peak(IEnumerable<ProcessSample> samples) => samples.Select(s => s.RssBytes ?? 0).DefaultIfEmpty(0).Max();

    private static string Mib(long bytes) => F(bytes / 1048576.0, "0") + " MiB";

    private static string Statuses(LatencyRecorder r)
    {
        var statuses = r.StatusSummary(s => s < 500);
        return statuses.Count == 0 ? "" : $" ({string.Join(", ", statuses.Take(4))})";
    }
}
