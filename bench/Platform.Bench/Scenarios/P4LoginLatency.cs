using System.Net.Http.Json;
using static Platform.Bench.Scenarios.Checks;
using static Platform.Bench.Scenarios.Formatting;
using static Platform.Bench.Scenarios.Statistics;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P4's second goal: login latency while the cleanup job runs. Each round, on a fresh copy with its own API process:
/// wrk POST /auth/login on 4 connections measures what the API can serve (bcrypt holds both cores at 100 %); then
/// logins arrive at half that rate, open-loop (<see cref="FixedRateLoad"/>), for a fixed window without the job and
/// for exactly the job's run. p99 over the pooled latencies of each kind. A saturating load cannot meet the goal on
/// any machine: whatever CPU the job takes is taken from logins queued behind each other, and the job-time goal
/// rules out starving the job; at half load there is room for both, as a sized deployment has.
/// Measured twice: with PostgreSQL and the API sharing every core (the cleanup's backend then takes a core from bcrypt),
/// and with each on its own cores, as their containers are deployed (the cleanup then competes with the logins' queries).
/// The goal is judged on the shared cores, the machine as it is; the separate cores are context. The two windows of a
/// round alternate in order: when the quiet one always came first, the API (on one core) was still compiling in it,
/// 0.6 against 0.4 cores at the same login rate, and its p99 came out above the job's.
/// </summary>
internal static class P4LoginLatency
{
    private const int LoginConnections = 4;
    private const int LoginRounds = 6;
    private const int CapacityWindowSeconds = 8;
    private const int QuietWindowSeconds = 10;
    private const double LoadShare = 0.5;
    private const string LoginEmail = "p4-user-1@bench.test";

    /// <param name="separateCores">PostgreSQL and the API each on its own cores (<see cref="CpuPinning"/>), as in a deployment;
    /// else everything shares the machine's cores.</param>
    public static async Task<IReadOnlyList<ResultRow>> MeasureAsync(
        IScenario scenario, BenchEnvironment environment, TemplateDatabase template, double oursSeconds, bool separateCores)
    {
        await using var pinning = separateCores ? await CpuPinning.SplitAsync(environment) : null;
        var topology = pinning is null
            ? $"PostgreSQL and the API sharing the {Environment.ProcessorCount} cores"
            : $"PostgreSQL on core {pinning.PostgresCpus}, the API on core {pinning.ApiCpus}";
        var quiet = new List<StoppableWrk.Result>();
        var busy = new List<StoppableWrk.Result>();
        var jobs = new List<double>();
        var capacities = new List<StoppableWrk.Result>();
        var usage = new List<string>();
        for (var round = 1; round <= LoginRounds; round++)
        {
            await using var copy = await template.CopyAsync($"login{round}");
            var api = await environment.StartApiAsync(new Dictionary<string, string>
            {
                // The product's default pool, as every other API the bench starts.
                ["ConnectionStrings__platformdb"] = BenchEnvironment.WithoutPoolSize(copy.AppConnectionString),
            });
            try
            {
                if (pinning is not null)
                {
                    await pinning.PinApiAsync(api.ProcessId);
                }

                using (var http = new HttpClient { BaseAddress = api.BaseAddress })
                {
                    var probe = await http.PostAsJsonAsync("/api/v1/auth/login", new { email = LoginEmail, password = BenchData.Password });
                    probe.EnsureSuccessStatusCode();
                }

                var url = new Uri(api.BaseAddress, "/api/v1/auth/login");
                var body = $$"""{"email":"{{LoginEmail}}","password":"{{BenchData.Password}}"}""";
                await StoppableWrk.Start(url, body, LoginConnections, TimeSpan.FromSeconds(3)).Completion; // warm-up

                var capacity = await StoppableWrk.Start(url, body, LoginConnections, TimeSpan.FromSeconds(CapacityWindowSeconds)).Completion;
                var rate = LoadShare * capacity.Requests / capacity.Seconds;
                capacities.Add(capacity);
                using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

                // The capacity run leaves logins in flight; this client's connections and code paths are new.
                using (var warmUp = FixedRateLoad.Start(client, url, body, rate, TimeSpan.FromSeconds(4)))
                {
                    await warmUp.Completion;
                }

                async Task<(StoppableWrk.Result Logins, (double ProcessCores, double MachineBusy) Cpu)> WithoutJobAsync()
                {
                    var cpu = CpuUsageWindow.Start(api.ProcessId);
                    using var quietLoad = FixedRateLoad.Start(client, url, body, rate, TimeSpan.FromSeconds(QuietWindowSeconds));
                    var logins = await quietLoad.Completion;
                    return (logins, cpu.Stop());
                }

                async Task<(StoppableWrk.Result Logins, (double ProcessCores, double MachineBusy) Cpu, P4CleanupRuns.CleanupRun Job)> DuringJobAsync()
                {
                    var cpu = CpuUsageWindow.Start(api.ProcessId);
                    using var load = FixedRateLoad.Start(client, url, body, rate, TimeSpan.FromMinutes(5));
                    P4CleanupRuns.CleanupRun run;
                    try
                    {
                        run = await P4CleanupRuns.CleanupAsync(copy);
                    }
                    finally
                    {
                        await load.StopAsync();
                    }

                    return (await load.Completion, cpu.Stop(), run);
                }

                // Alternating which window comes first, so that what still settles in a fresh API (its JIT above all,
                // on a single core) weighs on both sides alike.
                var jobFirst = round % 2 == 0;
                var during = jobFirst ? await DuringJobAsync() : default;
                var (without, quietCpu) = await WithoutJobAsync();
                if (!jobFirst)
                {
                    during = await DuringJobAsync();
                }

                var (with, busyCpu, job) = during;
                quiet.Add(without);
                busy.Add(with);
                jobs.Add(job.Seconds);
                Check(job.Deleted >= P4CleanupRuns.Tokens, $"the cleanup job removed {job.Deleted} rows, not {P4CleanupRuns.Tokens}");

                usage.Add($"API {F(quietCpu.ProcessCores, "0.0")}→{F(busyCpu.ProcessCores, "0.0")} cores, machine {F(quietCpu.MachineBusy * 100, "0")}→{F(busyCpu.MachineBusy * 100, "0")} % busy");
                Console.WriteLine($"P4 logins ({topology}) round {round}{(jobFirst ? ", job window first" : "")}: capacity {capacity.Describe()}; at {F(rate, "0.0")}/s without the job {without.Describe()}; during it {with.Describe()}; job {F(job.Seconds, "0.00")} s; " +
                    $"{usage[^1]}; load average {CpuUsageWindow.LoadAverage()}");
            }
            finally
            {
                ProcessStopper.Stop(api);
            }
        }

        var quietLatencies = quiet.SelectMany(r => r.LatenciesMs).ToList();
        var busyLatencies = busy.SelectMany(r => r.LatenciesMs).ToList();
        var quietP99 = Percentile(quietLatencies, 0.99);
        var busyP99 = Percentile(busyLatencies, 0.99);
        var errors = quiet.Sum(r => r.Errors) + busy.Sum(r => r.Errors);
        // A round where either window got no answer (the machine starved the API) has no ratio.
        var ratios = Enumerable.Range(0, LoginRounds).Where(i => busy[i].LatenciesMs.Count > 0 && quiet[i].LatenciesMs.Count > 0)
            .Select(i => busy[i].P99Ms / quiet[i].P99Ms).ToList();
        return
        [
            new ResultRow(scenario.Id, $"{scenario.Title}: login p99 during the job vs without, {topology} (open-loop at half the API's login capacity; {LoginRounds} rounds, latencies pooled)",
                $"{F(busyP99, "0")} ms (mean {F(busyLatencies.DefaultIfEmpty(0).Average(), "0")} ms, {F(busy.Sum(r => r.Requests) / Math.Max(0.001, busy.Sum(r => r.Seconds)))} req/s, {busyLatencies.Count} req, {busy.Sum(r => r.Errors)} err)",
                $"{F(quietP99, "0")} ms (mean {F(quietLatencies.DefaultIfEmpty(0).Average(), "0")} ms, {F(quiet.Sum(r => r.Requests) / Math.Max(0.001, quiet.Sum(r => r.Seconds)))} req/s, {quietLatencies.Count} req, {quiet.Sum(r => r.Errors)} err)",
                ResultsTable.Ratio(busyP99, quietP99), pinning is null ? "≤ 1.2×" : "(context)", pinning is null ? busyP99 <= 1.2 * quietP99 && errors == 0 : null),
            new ResultRow(scenario.Id, $"{scenario.Title}: login capacity, {topology}, wrk {LoginConnections} conn (the API's cores busy; the open-loop rate is half of it)",
                $"{F(capacities.Sum(r => r.Requests) / capacities.Sum(r => r.Seconds), "0.0")} logins/s, p99 {F(Percentile(capacities.SelectMany(r => r.LatenciesMs).ToList(), 0.99), "0")} ms",
                "-", "-", "(context)"),
            new ResultRow(scenario.Id, $"{scenario.Title}: per round, {topology}: login p99 during/without the job, job time under logins, CPU",
                string.Join("; ", Enumerable.Range(0, LoginRounds).Select(i =>
                    $"{F(busy[i].P99Ms, "0")}/{F(quiet[i].P99Ms, "0")} ms, {usage[i]}")),
                $"job alone {F(oursSeconds, "0.00")} s; under logins {string.Join(", ", jobs.Select(j => F(j, "0.0")))} s",
                ratios.Count == 0 ? "-" : $"median round {F(Median(ratios), "0.00")}× ({ratios.Count} rounds with answers)", "(context)"),
        ];
    }
}
