using System.Globalization;
using static Platform.Bench.Soak.LatencyRecorder;

namespace Platform.Bench.Soak;

/// <summary>A posted activity that did not reach every subscriber of its tenant.</summary>
internal sealed record MissedActivity(int Tenant, Guid Activity, string Description, bool LostOnOneInstance);

/// <summary>The console report of a soak: per minute, per request kind, memory, the feed, jobs and logs.</summary>
internal static class SoakReport
{
    public static void Print(SoakFindings f)
    {
        var r = f.Recorder;
        Console.WriteLine();
        Console.WriteLine($"== Soak report: {f.Options.Describe()}");
        Console.WriteLine("Latency is from each request's scheduled time to its last byte (open loop).");
        Console.WriteLine();
        Console.WriteLine("| minute | requests | 2xx | 5xx | other status | timeouts | connection | not sent | p50 | p99 | max |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        for (var m = 0; m < r.Minutes; m++)
        {
            var latencies = r.Latencies(minute: m);
            Console.WriteLine($"| {m + 1} | {r.Total(minute: m)} | {r.Count(Outcome.Success, minute: m)} | {r.Count(Outcome.ServerError, minute: m)} | " +
                $"{r.Count(Outcome.OtherStatus, minute: m)} | {r.Count(Outcome.Timeout, minute: m)} | {r.Count(Outcome.ConnectionError, minute: m)} | " +
                $"{r.Count(Outcome.NotSent, minute: m)} | {Ms(Percentile(latencies, 0.5))} | {Ms(Percentile(latencies, 0.99))} | {Ms(latencies.LastOrDefault())} |");
        }

        Console.WriteLine();
        Console.WriteLine("| kind | requests | 2xx | 5xx | other | p50 | p99 | max | p99 by minute (ms) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var kind in r.Kinds)
        {
            var latencies = r.Latencies(kind);
            var byMinute = string.Join(" ", Enumerable.Range(0, r.Minutes).Select(m => F(Percentile(r.Latencies(kind, m), 0.99), "0")));
            var other = r.Count(Outcome.OtherStatus, kind) + r.Count(Outcome.Timeout, kind) + r.Count(Outcome.ConnectionError, kind) + r.Count(Outcome.NotSent, kind);
            Console.WriteLine($"| {kind} | {r.Total(kind)} | {r.Count(Outcome.Success, kind)} | {r.Count(Outcome.ServerError, kind)} | {other} | " +
                $"{Ms(Percentile(latencies, 0.5))} | {Ms(Percentile(latencies, 0.99))} | {Ms(latencies.LastOrDefault())} | {byMinute} |");
        }

        foreach (var line in r.StatusSummary(_ => true))
        {
            Console.WriteLine($"  non-2xx: {line}");
        }

        Console.WriteLine();
        Console.WriteLine("RSS (MiB) every 30 s: " + string.Join("; ", f.ProcessNames.Select(name =>
            $"{name}: {string.Join(" ", f.Samples.Where(s => s.Name == name).Select(s => s.RssBytes is { } b ? F(b / 1048576.0, "0") : "exited"))}")));
        Console.WriteLine("CPU (cores) every 30 s: " + string.Join("; ", f.ProcessNames.Select(name =>
            $"{name}: {string.Join(" ", f.Samples.Where(s => s.Name == name).Skip(1).Select(s => F(s.Cores, "0.00")))}")));

        var expected = f.Subscribers.Sum(s => s.Tenant.ActivitiesPosted);
        var received = f.Subscribers.Sum(s => s.Received);
        Console.WriteLine($"SSE: {f.Subscribers.Count} subscribers received {N(received)} activity events of {N(expected)} expected " +
            $"(missing {N(Missing(f))}, extra {N(Extra(f))}, duplicates {f.Subscribers.Sum(s => s.Duplicates)}); " +
            $"{f.Subscribers.Sum(s => s.Reconnects)} streams resumed, {f.Subscribers.Sum(s => s.FailedConnects)} failed connects");
        var missed = MissedActivities(f);
        if (missed.Count > 0)
        {
            Console.WriteLine($"SSE: {missed.Count} posted activities were not delivered to every subscriber of their tenant; " +
                $"{missed.Count(m => m.LostOnOneInstance)} of them missed by all subscribers of one API instance and received by all of another:");
            foreach (var m in missed.Take(10))
            {
                Console.WriteLine($"    activity {m.Activity} (tenant {m.Tenant}): missed by {m.Description}");
            }
        }
        Console.WriteLine($"Sessions: {f.TokenRefreshes} token refreshes, {f.Relogins} logins again after a refused refresh");
        Console.WriteLine("Jobs (system audit rows since the worker started): " + string.Join(", ", f.Jobs.Select(j =>
            $"{j.Action} {j.Runs} run(s) of {f.JobsFired[j.Action]} fired, {j.Failed} failed, longest {F(j.MaxDurationMs / 1000.0, "0.0")} s")));
        Console.WriteLine($"Hangfire jobs by state: {f.HangfireStates}");
        Console.WriteLine(f.DockerEnabled
            ? $"Docker: {N(f.ResidentSamples.Samples)} health samples of {f.ResidentSamples.Containers} resident agent containers during the load (≈ {N(ExpectedSamples(f))} expected, " +
                $"one per {f.PollInterval.TotalSeconds:0} s sweep); {f.ContainersLeft} containers left in scope at the end; alerts opened: {f.Alerts}"
            : $"Docker: off (no engine); alerts opened: {f.Alerts}");
        Console.WriteLine($"Agents created by the soak and not deleted: {f.CreatedAgentsLeft}");
        foreach (var log in f.Logs)
        {
            Console.WriteLine($"Log {log.Name}: {log.Errors} errors, {log.Critical} critical, {log.Warnings} warnings");
            foreach (var error in log.FirstErrors)
            {
                Console.WriteLine($"    {error}");
            }
        }
    }

    /// <summary>Posted activities some subscriber of the tenant did not receive, with who missed them per API instance.</summary>
    public static IReadOnlyList<MissedActivity> MissedActivities(SoakFindings f)
    {
        var missed = new List<MissedActivity>();
        foreach (var group in f.Subscribers.GroupBy(s => s.Tenant))
        {
            foreach (var activity in group.Key.PostedIds)
            {
                var byApi = group.GroupBy(s => s.Api).Select(g => (Api: f.ApiNames.GetValueOrDefault(g.Key, g.Key.Authority), Missed: g.Count(s => !s.HasReceived(activity)), Of: g.Count())).ToList();
                if (byApi.Any(a => a.Missed > 0))
                {
                    missed.Add(new MissedActivity(group.Key.Number, activity, string.Join(", ", byApi.Select(a => $"{a.Missed} of {a.Of} on {a.Api}")),
                        byApi.Count > 1 && byApi.Count(a => a.Missed == a.Of) == 1 && byApi.Count(a => a.Missed == 0) == byApi.Count - 1));
                }
            }
        }

        return missed;
    }

    /// <summary>Poller samples of the resident agents the load's duration allows: one per agent and sweep.</summary>
    public static long ExpectedSamples(SoakFindings f) => f.Residents * (long)(f.Options.Duration / f.PollInterval);

    public static long Missing(SoakFindings f) => f.Subscribers.Sum(s => Math.Max(0, s.Tenant.ActivitiesPosted - s.Received));

    public static long Extra(SoakFindings f) => f.Subscribers.Sum(s => Math.Max(0, s.Received - s.Tenant.ActivitiesPosted));

    public static string Ms(double ms) => double.IsNaN(ms) ? "-" : F(ms, ms < 10 ? "0.0" : "0") + " ms";

    public static string F(double value, string format) => double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);

    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
