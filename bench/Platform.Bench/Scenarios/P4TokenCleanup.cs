using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Data.Security;
using Platform.Migrator;
using Platform.Tests.Support;
using Platform.Worker.Jobs;
using static Platform.Bench.Scenarios.P4P5P7Support;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P4: the Worker's refresh-token cleanup (<see cref="CleanupJobs.RefreshTokensAsync"/>, batches of
/// 5,000) on 1,000,000 expired tokens against one bare <c>DELETE</c> of the same rows. The tokens are
/// seeded once into a template database of this scenario; every measurement runs on a fresh
/// file-level copy of it (CREATE DATABASE ... TEMPLATE), so each starts from the same pages. Time:
/// reference, ours, ours, reference, reference, ours; medians compared. Logins: the Release API on a
/// copy, wrk POST /auth/login with 4 connections for a fixed window without the job, then for exactly
/// as long as the job runs (wrk is stopped with SIGINT when it ends); five rounds on five copies, p99
/// over the pooled latencies of each kind. When the time goal is missed, the plans are printed and
/// the job with a larger BatchSize is measured for the report.
/// </summary>
public sealed class P4TokenCleanup : IScenario
{
    private const int Tokens = 1_000_000;
    private const int BatchSize = 5_000;
    private const int LoginConnections = 4;
    private const int LoginRounds = 5;
    private const int QuietWindowSeconds = 8;
    private const int LargeBatchSize = 50_000;
    private const string LoginEmail = "p4-user-1@bench.test";

    private const string BareDelete = "DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day'";

    public string Id => "P4";

    public string Title => "Refresh-token cleanup, 1 M expired";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        await using var template = await P4Database.CreateTemplateAsync(environment.Postgres);
        await SeedAsync(template);
        return await MeasureAsync(environment, template);
    }

    private async Task<IReadOnlyList<ResultRow>> MeasureAsync(BenchEnvironment environment, P4Database template)
    {
        var rows = new List<ResultRow>();

        // Time: A B B A A B, each on a fresh copy; medians compared.
        var bare = new List<double>();
        var ours = new List<(double Seconds, long Deleted, IReadOnlyList<double> Batches)>();
        foreach (var side in new[] { "bare", "ours", "ours", "bare", "bare", "ours" })
        {
            await using var copy = await template.CopyAsync(side);
            if (side == "bare")
            {
                var seconds = await RunBareDeleteAsync(copy);
                bare.Add(seconds);
                Console.WriteLine($"P4 bare DELETE: {N(Tokens)} rows in {F(seconds, "0.00")} s (load average {LoadAverage()})");
            }
            else
            {
                var run = await RunCleanupAsync(copy);
                ours.Add(run);
                Check(run.Deleted == Tokens, $"the cleanup job removed {run.Deleted} rows, not {Tokens}");
                Console.WriteLine($"P4 cleanup job: {N(run.Deleted)} rows in {F(run.Seconds, "0.00")} s, {DescribeBatches(run.Batches)} (load average {LoadAverage()})");
            }
        }

        var oursSeconds = Median(ours.Select(r => r.Seconds));
        var bareSeconds = Median(bare);
        var timeMet = oursSeconds <= 1.5 * bareSeconds;
        rows.Add(new ResultRow(Id, $"{Title}: job time vs one bare DELETE (median of {ours.Count})",
            $"{F(oursSeconds, "0.00")} s ({string.Join(", ", ours.Select(r => F(r.Seconds, "0.00")))})",
            $"{F(bareSeconds, "0.00")} s ({string.Join(", ", bare.Select(s => F(s, "0.00")))})",
            ResultsTable.Ratio(oursSeconds, bareSeconds), "≤ 1.5×", timeMet));
        var median = ours.OrderBy(r => r.Seconds).ElementAt(ours.Count / 2);
        rows.Add(new ResultRow(Id, $"{Title}: the median run's {BatchSize:N0}-row batches, ms", DescribeBatches(median.Batches), "-", "-", "(context)"));

        rows.AddRange(await MeasureLoginsAsync(environment, template, oursSeconds));

        if (!timeMet)
        {
            rows.AddRange(await DiagnoseAsync(template, bareSeconds));
        }

        return rows;
    }

    private static async Task<double> RunBareDeleteAsync(P4Database copy)
    {
        var watch = Stopwatch.StartNew();
        var deleted = await ExecuteAsync(copy.AppConnectionString, BareDelete);
        var seconds = watch.Elapsed.TotalSeconds;
        Check(deleted == Tokens, $"the bare DELETE removed {deleted} rows, not {Tokens}");
        return seconds;
    }

    /// <summary>
    /// Rounds of (logins for a fixed window without the job; logins while the job runs, wrk stopped with SIGINT when
    /// the job ends so that the window is exactly the job's), each round on a fresh copy with its own API process.
    /// </summary>
    private async Task<IReadOnlyList<ResultRow>> MeasureLoginsAsync(BenchEnvironment environment, P4Database template, double oursSeconds)
    {
        var window = TimeSpan.FromSeconds(QuietWindowSeconds);
        var quiet = new List<P4Wrk.Result>();
        var busy = new List<P4Wrk.Result>();
        var jobs = new List<double>();
        var usage = new List<string>();
        for (var round = 1; round <= LoginRounds; round++)
        {
            await using var copy = await template.CopyAsync($"login{round}");
            var api = await environment.StartApiAsync(new Dictionary<string, string>
            {
                ["ConnectionStrings__platformdb"] = copy.AppConnectionString.Replace("Maximum Pool Size=20", "Maximum Pool Size=100", StringComparison.OrdinalIgnoreCase),
            });
            try
            {
                using (var http = new HttpClient { BaseAddress = api.BaseAddress })
                {
                    var probe = await http.PostAsJsonAsync("/api/v1/auth/login", new { email = LoginEmail, password = BenchData.Password });
                    probe.EnsureSuccessStatusCode();
                }

                var url = new Uri(api.BaseAddress, "/api/v1/auth/login");
                var body = $$"""{"email":"{{LoginEmail}}","password":"{{BenchData.Password}}"}""";
                await P4Wrk.Start(url, body, LoginConnections, TimeSpan.FromSeconds(3)).Completion; // warm-up

                var cpu = P4Cpu.Start(api.ProcessId);
                var without = await P4Wrk.Start(url, body, LoginConnections, window).Completion;
                var quietCpu = cpu.Stop();
                quiet.Add(without);

                cpu = P4Cpu.Start(api.ProcessId);
                var load = P4Wrk.Start(url, body, LoginConnections, TimeSpan.FromMinutes(5));
                (double Seconds, long Deleted, IReadOnlyList<double> Batches) job;
                try
                {
                    job = await RunCleanupAsync(copy);
                }
                finally
                {
                    await load.StopAsync();
                }

                var with = await load.Completion;
                var busyCpu = cpu.Stop();
                busy.Add(with);
                jobs.Add(job.Seconds);
                Check(job.Deleted >= Tokens, $"the cleanup job removed {job.Deleted} rows, not {Tokens}");

                usage.Add($"API {F(quietCpu.ProcessCores, "0.0")}→{F(busyCpu.ProcessCores, "0.0")} cores, machine {F(quietCpu.MachineBusy * 100, "0")}→{F(busyCpu.MachineBusy * 100, "0")} % busy");
                Console.WriteLine($"P4 logins round {round}: without the job {without.Describe()}; during it {with.Describe()}; job {F(job.Seconds, "0.00")} s; " +
                    $"{usage[^1]}; load average {LoadAverage()}");
            }
            finally
            {
                Stop(api);
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
            new ResultRow(Id, $"{Title}: login p99 during the job vs without ({LoginConnections} conn; {LoginRounds} rounds, latencies pooled)",
                $"{F(busyP99, "0")} ms (mean {F(busyLatencies.DefaultIfEmpty(0).Average(), "0")} ms, {F(busy.Sum(r => r.Requests) / Math.Max(0.001, busy.Sum(r => r.Seconds)))} req/s, {busyLatencies.Count} req, {busy.Sum(r => r.Errors)} err)",
                $"{F(quietP99, "0")} ms (mean {F(quietLatencies.DefaultIfEmpty(0).Average(), "0")} ms, {F(quiet.Sum(r => r.Requests) / Math.Max(0.001, quiet.Sum(r => r.Seconds)))} req/s, {quietLatencies.Count} req, {quiet.Sum(r => r.Errors)} err)",
                ResultsTable.Ratio(busyP99, quietP99), "≤ 1.2×", busyP99 <= 1.2 * quietP99 && errors == 0),
            new ResultRow(Id, $"{Title}: per round, login p99 during/without the job, job time under logins, CPU",
                string.Join("; ", Enumerable.Range(0, LoginRounds).Select(i =>
                    $"{F(busy[i].P99Ms, "0")}/{F(quiet[i].P99Ms, "0")} ms, {usage[i]}")),
                $"job alone {F(oursSeconds, "0.00")} s; under logins {string.Join(", ", jobs.Select(j => F(j, "0.0")))} s",
                ratios.Count == 0 ? "-" : $"median round {F(Median(ratios), "0.00")}× ({ratios.Count} rounds with answers)", "(context)"),
        ];
    }

    /// <summary>One run of the job as Hangfire runs it (through JobAudit), timing each of its DELETE statements.</summary>
    private static async Task<(double Seconds, long Deleted, IReadOnlyList<double> Batches)> RunCleanupAsync(P4Database copy, int batchSize = BatchSize)
    {
        var timer = new P4P5P7CommandTimer(sql => sql.Contains("DELETE FROM refresh_tokens", StringComparison.Ordinal) ? "batch" : null);
        var options = AppOptions(copy.AppConnectionString, timer);
        var jobs = new CleanupJobs(options, new JobAudit(options, NullLogger<JobAudit>.Instance, TimeProvider.System),
            Options.Create(new RetentionOptions { BatchSize = batchSize }), TimeProvider.System);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var watch = Stopwatch.StartNew();
        await jobs.RefreshTokensAsync(limit.Token);
        var seconds = watch.Elapsed.TotalSeconds;
        var expiredLeft = await ScalarAsync<long>(copy.OwnerConnectionString, "SELECT count(*) FROM refresh_tokens WHERE expires_at < now() - interval '1 day'");
        Check(expiredLeft == 0, $"the cleanup job left {expiredLeft} expired tokens");
        var deleted = await ScalarAsync<long>(copy.OwnerConnectionString,
            "SELECT coalesce(sum((details -> 'counts' ->> 'deleted')::bigint), 0)::bigint FROM audit_logs WHERE action = 'job.refresh_token_cleanup'");
        return (seconds, deleted, timer.Durations("batch"));
    }

    private static string DescribeBatches(IReadOnlyList<double> batches) => batches.Count == 0 ? "-" :
        $"{batches.Count} batches: first {F(batches[0], "0")}, median {F(Median(batches), "0")}, p90 {F(Percentile(batches, 0.9), "0")}, " +
        $"last full {F(batches[Math.Max(0, batches.Count - 2)], "0")}, max {F(batches.Max(), "0")}; sum {F(batches.Sum() / 1000, "0.0")} s";

    /// <summary>
    /// When the job is slower than the goal: the plans (printed) of its batch statement (as CleanupJobs has it: rows
    /// addressed by ctid) and of the bare DELETE, and, each on a fresh copy, a bare DELETE next to the job with a larger
    /// BatchSize (configuration only).
    /// </summary>
    private async Task<IReadOnlyList<ResultRow>> DiagnoseAsync(P4Database template, double bareSeconds)
    {
        var jobBatch = $"DELETE FROM refresh_tokens WHERE ctid = ANY(ARRAY(SELECT ctid FROM refresh_tokens WHERE expires_at < now() - interval '1 day' " +
            $"OR revoked_at < now() - interval '1 day' LIMIT {BatchSize}))";
        await using (var copy = await template.CopyAsync("explain"))
        {
            Console.WriteLine($"P4 diagnosis: EXPLAIN ANALYZE of the job's batch statement:\n{await ExplainAnalyzeAsync(copy.AppConnectionString, jobBatch)}");
            Console.WriteLine($"P4 diagnosis: EXPLAIN ANALYZE of the bare DELETE:\n{await ExplainAnalyzeAsync(copy.AppConnectionString, BareDelete)}");
        }

        double bareAgain;
        await using (var copy = await template.CopyAsync("bare"))
        {
            bareAgain = await RunBareDeleteAsync(copy);
        }

        (double Seconds, long Deleted, IReadOnlyList<double> Batches) large;
        await using (var copy = await template.CopyAsync("large"))
        {
            large = await RunCleanupAsync(copy, LargeBatchSize);
        }

        Console.WriteLine($"P4 diagnosis: bare DELETE {F(bareAgain, "0.00")} s (median before {F(bareSeconds, "0.00")} s); " +
            $"job with BatchSize {LargeBatchSize:N0} {F(large.Seconds, "0.00")} s ({DescribeBatches(large.Batches)})");
        return
        [
            new ResultRow(Id, $"{Title}: the job with Retention:BatchSize = {LargeBatchSize:N0} (configuration)",
                $"{F(large.Seconds, "0.00")} s ({large.Batches.Count} batches)", $"{F(bareAgain, "0.00")} s", ResultsTable.Ratio(large.Seconds, bareAgain), "(context)"),
        ];
    }

    /// <summary>100 users of one tenant and 1 M tokens that expired 3 days to 3 days 17 h ago, as the owner; then VACUUM ANALYZE.</summary>
    private static async Task SeedAsync(P4Database database)
    {
        var watch = Stopwatch.StartNew();
        var hash = Passwords.Hash(BenchData.Password);
        await ExecuteAsync(database.OwnerConnectionString, """
            INSERT INTO tenants (id, company_name, admin_email, status, plan, model_defaults, resource_limits, created_at, updated_at)
            VALUES (uuid_v7(), 'P4 Bench', 'p4-admin@bench.test', 'active', 'enterprise',
                    '{"model_tier":"sonnet","thinking_mode":"off"}', '{"requests_per_minute":100000000}', now(), now());
            INSERT INTO users (id, email, name, password_hash, role, tenant_id, mfa_enabled, recovery_code_hashes, failed_login_count, created_at, updated_at)
            SELECT uuid_v7(), 'p4-user-' || u || '@bench.test', 'P4 user ' || u, @hash,
                   CASE WHEN u = 1 THEN 'tenant_admin'::user_role ELSE 'tenant_member'::user_role END, t.id, false, '{}', 0, now(), now()
            FROM tenants t, generate_series(1, 100) AS u WHERE t.company_name = 'P4 Bench';
            INSERT INTO team_members (id, tenant_id, user_id, role, joined_at)
            SELECT uuid_v7(), tenant_id, id, role, now() FROM users WHERE email LIKE 'p4-user-%';
            """, new Dictionary<string, object> { ["hash"] = hash });
        await ExecuteAsync(database.OwnerConnectionString, $"""
            INSERT INTO refresh_tokens (id, user_id, token_hash, family_id, expires_at, created_at, created_by_ip, user_agent)
            SELECT uuid_v7(), u.ids[1 + i % 100], md5(i::text || random()::text) || md5(i::text), gen_random_uuid(),
                   now() - interval '3 days' - (i % 1000 || ' minutes')::interval, now() - interval '40 days',
                   ('10.0.' || (i % 250) || '.' || (i / 250 % 250))::inet, 'Mozilla/5.0 (X11; Linux x86_64) bench/' || (i % 10)
            FROM (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'p4-user-%') AS u, generate_series(1, {Tokens}) AS i
            """);
        await ExecuteAsync(database.OwnerConnectionString, "VACUUM ANALYZE");
        Console.WriteLine($"P4 seed: 100 users, {N(Tokens)} expired tokens in {F(watch.Elapsed.TotalSeconds)} s");
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}

/// <summary>
/// One of P4's databases: the template (migrated like PlatformDatabase.CreateAsync does, but with pooling off so that
/// no idle connection stays on it) or a file-level copy of it (CREATE DATABASE ... TEMPLATE). Dropped when disposed.
/// </summary>
internal sealed class P4Database : IAsyncDisposable
{
    private readonly LocalPostgres _server;

    private P4Database(LocalPostgres server, string name)
    {
        _server = server;
        Name = name;
    }

    public string Name { get; }

    public string OwnerConnectionString => _server.ConnectionString(Name);

    public string AppConnectionString => _server.ConnectionString(Name, PlatformDatabase.AppRole, PlatformDatabase.AppRolePassword);

    public static async Task<P4Database> CreateTemplateAsync(LocalPostgres server)
    {
        var database = new P4Database(server, "p4_" + Guid.NewGuid().ToString("N")[..12]);
        await new PlatformMigrator(database.OwnerConnectionString + ";Pooling=false", PlatformDatabase.Options, NullLogger.Instance).RunAsync(CancellationToken.None);
        return database;
    }

    public async Task<P4Database> CopyAsync(string suffix)
    {
        var copy = new P4Database(_server, $"{Name}_{suffix}_{Guid.NewGuid().ToString("N")[..6]}");
        var watch = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            // The template must have no session: this scenario's idle pooled connections to it are closed first.
            foreach (var connectionString in new[] { OwnerConnectionString, AppConnectionString })
            {
                await using var connection = new NpgsqlConnection(connectionString);
                NpgsqlConnection.ClearPool(connection);
            }

            try
            {
                // FILE_COPY: the copy's files are the template's, not WAL-logged page by page.
                await ExecuteAsync(_server.ConnectionString(), $"CREATE DATABASE \"{copy.Name}\" TEMPLATE \"{Name}\" STRATEGY FILE_COPY");
                break;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 5)
            {
                var sessions = await ScalarAsync<string>(_server.ConnectionString(),
                    "SELECT coalesce(string_agg(pid || ' ' || coalesce(backend_type, '') || ' ' || coalesce(state, '') || ' ' || left(coalesce(query, ''), 80), '; '), '-') " +
                    "FROM pg_stat_activity WHERE datname = @name", new Dictionary<string, object> { ["name"] = Name });
                Console.WriteLine($"P4 copy: the template is in use ({sessions}); retrying");
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }

        await ExecuteAsync(_server.ConnectionString(), "CHECKPOINT");
        Console.WriteLine($"P4 copy {copy.Name} made in {watch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        return copy;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connectionString in new[] { OwnerConnectionString, AppConnectionString })
        {
            await using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }

        try
        {
            // This scenario's own database; FORCE ends the sessions the job's EF data sources still hold on it.
            await ExecuteAsync(_server.ConnectionString(), $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
        }
        catch (NpgsqlException ex)
        {
            Console.WriteLine($"could not drop {Name}: {ex.Message}");
        }
    }
}

/// <summary>
/// wrk POSTing one JSON body (2 threads, 30 s request timeout) for at most a given time, or until <see cref="StopAsync"/>
/// sends it SIGINT (it then stops and reports as usual). Returns every latency (its histogram), so rounds can be pooled.
/// </summary>
internal sealed class P4Wrk
{
    private readonly Process _process;

    private P4Wrk(Process process, Task<Result> completion)
    {
        _process = process;
        Completion = completion;
    }

    public Task<Result> Completion { get; }

    public sealed record Result(double Seconds, long Requests, long Errors, IReadOnlyList<double> LatenciesMs)
    {
        public double P99Ms => P4P5P7Support.Percentile(LatenciesMs, 0.99);

        public string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"{(Seconds > 0 ? Requests / Seconds : 0):0.0} req/s, p99 {P99Ms:0} ms, mean {(LatenciesMs.Count == 0 ? 0 : LatenciesMs.Average()):0} ms, {Requests} req in {Seconds:0.0} s, {Errors} err");
    }

    public static P4Wrk Start(Uri url, string body, int connections, TimeSpan maxDuration)
    {
        var script = Path.Combine(Path.GetTempPath(), $"wrk-p4-{Guid.NewGuid():N}.lua");
        File.WriteAllText(script, $$"""
            wrk.method = "POST"
            wrk.body = [==[{{body}}]==]
            wrk.headers["Content-Type"] = "application/json"
            done = function(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("RESULT %d %d %d\n", summary.requests, e.status + e.connect + e.read + e.write + e.timeout, summary.duration))
              for i = 1, #latency do
                local value, count = latency(i)
                io.write(string.format("L %d %d\n", value, count))
              end
            end
            """);
        var start = new ProcessStartInfo("wrk") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "-t", Math.Min(2, connections).ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{(int)maxDuration.TotalSeconds}s", "--timeout", "30s", "-s", script, url.ToString(),
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        return new P4Wrk(process, CollectAsync(process, script));
    }

    /// <summary>Ends the run now (SIGINT to this wrk process, by its id); <see cref="Completion"/> then has its figures.</summary>
    public async Task StopAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await Tools.RunAsync("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            }
        }
        catch (InvalidOperationException)
        {
            // it ended on its own (its time was up) and is disposed already
        }
    }

    private static async Task<Result> CollectAsync(Process process, string script)
    {
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var output = await stdout;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {await stderr}{output}");
            }

            var lines = output.Split('\n');
            var result = lines.First(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ');
            var latencies = new List<double>();
            foreach (var line in lines.Where(l => l.StartsWith("L ", StringComparison.Ordinal)))
            {
                var fields = line.Split(' ');
                var micros = double.Parse(fields[1], CultureInfo.InvariantCulture);
                latencies.AddRange(Enumerable.Repeat(micros / 1000, int.Parse(fields[2], CultureInfo.InvariantCulture)));
            }

            return new Result(double.Parse(result[3], CultureInfo.InvariantCulture) / 1_000_000, long.Parse(result[1], CultureInfo.InvariantCulture),
                long.Parse(result[2], CultureInfo.InvariantCulture), latencies);
        }
        finally
        {
            process.Dispose();
            File.Delete(script);
        }
    }
}

/// <summary>CPU used by one process (in cores) and by the whole machine (busy share) between Start and Stop.</summary>
internal sealed class P4Cpu
{
    private readonly int _pid;
    private readonly TimeSpan _processStart;
    private readonly (long Busy, long Total) _machineStart;
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    private P4Cpu(int pid)
    {
        _pid = pid;
        _processStart = ProcessTime(pid);
        _machineStart = MachineTicks();
    }

    public static P4Cpu Start(int pid) => new(pid);

    public (double ProcessCores, double MachineBusy) Stop()
    {
        var seconds = _watch.Elapsed.TotalSeconds;
        var process = (ProcessTime(_pid) - _processStart).TotalSeconds;
        var machine = MachineTicks();
        var total = machine.Total - _machineStart.Total;
        return (process / seconds, total == 0 ? 0 : (machine.Busy - _machineStart.Busy) / (double)total);
    }

    private static TimeSpan ProcessTime(int pid)
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime;
    }

    /// <summary>From the first line of /proc/stat: busy = everything but idle and iowait.</summary>
    private static (long Busy, long Total) MachineTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum();
        return (total - fields[3] - fields[4], total);
    }
}
