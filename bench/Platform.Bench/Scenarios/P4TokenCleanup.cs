using Microsoft.Extensions.Options;
using Platform.Data.Security;
using Platform.Worker.Jobs;

namespace Platform.Bench;

/// <summary>
/// P4: the Worker's refresh-token cleanup (<see cref="CleanupJobs.RefreshTokensAsync"/>, batches of 5,000) on 1,000,000
/// expired tokens against one bare <c>DELETE</c> of the same rows, each run on a fresh file-level copy of a template
/// database (order A B B A A B, medians compared). Then login latency while the job runs, on a fresh copy and API per round:
/// wrk measures the API's login capacity (bcrypt holds the cores), then logins arrive open-loop at half of it, for a
/// window without the job and for exactly the job's run, the two in alternating order (what still settles in a fresh API
/// weighs on both); p99 over each kind's pooled latencies. A saturating load could not meet the goal on any machine.
/// </summary>
public sealed class P4TokenCleanup : IScenario
{
    private const int Tokens = 1_000_000;
    private const int LoginRounds = 6;
    private const string LoginEmail = "p4-user-1@bench.test";
    private const string BareDelete = "DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day'";

    public string Id => "P4";
    public string Title => "Refresh-token cleanup, 1 M expired";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        await using var template = await TemplateDatabase.CreateAsync(environment.Postgres, "p4");
        await SeedAsync(template);

        var bare = new List<double>();
        var ours = new List<double>();
        foreach (var side in new[] { "bare", "ours", "ours", "bare", "bare", "ours" })
        {
            await using var copy = await template.CopyAsync(side);
            var watch = Stopwatch.StartNew();
            if (side == "bare")
            {
                Check(await Sql.ExecuteAsync(copy.AppConnectionString, BareDelete) == Tokens, "the bare DELETE did not remove every expired token");
                bare.Add(watch.Elapsed.TotalSeconds);
            }
            else
            {
                ours.Add(await CleanupAsync(copy));
            }

            Console.WriteLine($"P4 {side}: {F(watch.Elapsed.TotalSeconds, "0.00")} s (load average {ProcStat.LoadAverage()})");
        }

        var (oursSeconds, bareSeconds) = (Median(ours), Median(bare));
        List<ResultRow> rows =
        [
            new(Id, $"{Title}: job time vs one bare DELETE (median of {ours.Count})", $"{F(oursSeconds, "0.00")} s ({string.Join(", ", ours.Select(s => F(s, "0.00")))})",
                $"{F(bareSeconds, "0.00")} s ({string.Join(", ", bare.Select(s => F(s, "0.00")))})", Ratio(oursSeconds, bareSeconds), "≤ 1.5×", oursSeconds <= 1.5 * bareSeconds),
        ];
        rows.AddRange(await LoginsAsync(environment, template));
        return rows;
    }

    private async Task<IReadOnlyList<ResultRow>> LoginsAsync(BenchEnvironment environment, TemplateDatabase template)
    {
        var quiet = new LatencyRecorder();
        var busy = new LatencyRecorder();
        var rounds = new List<string>();
        for (var round = 1; round <= LoginRounds; round++)
        {
            await using var copy = await template.CopyAsync($"login{round}");
            await using var api = await environment.StartApiOnAsync(copy.AppConnectionString);
            var url = new Uri(api.BaseAddress, "/api/v1/auth/login");
            var body = $$"""{"email":"{{LoginEmail}}","password":"{{BenchData.Password}}"}""";
            await Tools.WrkAsync(url, 4, TimeSpan.FromSeconds(3), method: "POST", body: body); // warm-up
            var capacity = await Tools.WrkAsync(url, 4, TimeSpan.FromSeconds(8), method: "POST", body: body);
            var rate = capacity.RequestsPerSecond / 2;
            using var http = new HttpClient();
            OpenLoop Logins(LatencyRecorder recorder) => new(http, () => new("login", new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            }), recorder, rate, TimeSpan.FromSeconds(30));

            await Logins(new LatencyRecorder()).RunAsync(TimeSpan.FromSeconds(4)); // this client's connections and paths are new
            double job = 0;
            async Task DuringJobAsync()
            {
                using var stop = new CancellationTokenSource();
                var load = Logins(busy).RunAsync(TimeSpan.FromMinutes(5), stop.Token);
                job = await CleanupAsync(copy);
                await stop.CancelAsync();
                await load;
            }

            if (round % 2 == 0) await DuringJobAsync();

            await Logins(quiet).RunAsync(TimeSpan.FromSeconds(10));
            if (round % 2 == 1) await DuringJobAsync();

            rounds.Add($"{F(rate)}/s, job {F(job, "0.0")} s");
            Console.WriteLine($"P4 logins round {round}: capacity {capacity.Describe()}; open-loop {rounds[^1]}; pooled so far: p99 during the job " +
                $"{Ms(Percentile(busy.Latencies(), 0.99))}, without {Ms(Percentile(quiet.Latencies(), 0.99))}");
        }

        var (busyP99, quietP99) = (Percentile(busy.Latencies(), 0.99), Percentile(quiet.Latencies(), 0.99));
        var errors = busy.Total() + quiet.Total() - busy.Count(Outcome.Success) - quiet.Count(Outcome.Success);
        return
        [
            new(Id, $"{Title}: login p99 during the job vs without (open-loop at half the API's login capacity; {LoginRounds} rounds, latencies pooled)",
                $"{Ms(busyP99)} ({N(busy.Total())} req)", $"{Ms(quietP99)} ({N(quiet.Total())} req)", Ratio(busyP99, quietP99), "≤ 1.2×",
                busyP99 <= 1.2 * quietP99 && errors == 0),
        ];
    }

    /// <summary>One run of the job as Hangfire runs it (through JobAudit); its time in seconds.</summary>
    private static async Task<double> CleanupAsync(TemplateDatabase copy)
    {
        var options = Sql.AppOptions(copy.AppConnectionString);
        var jobs = new CleanupJobs(options, new JobAudit(options, NullLogger<JobAudit>.Instance, TimeProvider.System),
            Options.Create(new RetentionOptions()), TimeProvider.System);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var watch = Stopwatch.StartNew();
        await jobs.RefreshTokensAsync(limit.Token);
        var seconds = watch.Elapsed.TotalSeconds;
        var left = await Sql.ScalarAsync<long>(copy.OwnerConnectionString, "SELECT count(*) FROM refresh_tokens WHERE expires_at < now() - interval '1 day'");
        Check(left == 0, $"the cleanup job left {left} expired tokens");
        return seconds;
    }

    /// <summary>100 users of one tenant and 1 M tokens that expired 3 days to 3 days 17 h ago, as the owner; then VACUUM ANALYZE.</summary>
    private static async Task SeedAsync(TemplateDatabase database)
    {
        await Sql.ExecuteAsync(database.OwnerConnectionString, $$"""
            {{Seeder.TenantsSql("P4 Bench", 1)}};
            INSERT INTO users (id, email, name, password_hash, role, tenant_id, mfa_enabled, recovery_code_hashes, failed_login_count, created_at, updated_at)
            SELECT uuid_v7(), 'p4-user-' || u || '@bench.test', 'P4 user ' || u, @hash,
                   CASE WHEN u = 1 THEN 'tenant_admin'::user_role ELSE 'tenant_member'::user_role END, t.id, false, '{}', 0, now(), now()
            FROM tenants t, generate_series(1, 100) AS u WHERE t.company_name LIKE 'P4 Bench %';
            INSERT INTO team_members (id, tenant_id, user_id, role, joined_at)
            SELECT uuid_v7(), tenant_id, id, role, now() FROM users WHERE email LIKE 'p4-user-%';
            """, new Dictionary<string, object> { ["hash"] = Passwords.Hash(BenchData.Password) });
        await Sql.ExecuteAsync(database.OwnerConnectionString, $"""
            INSERT INTO refresh_tokens (id, user_id, token_hash, family_id, expires_at, created_at, created_by_ip, user_agent)
            SELECT uuid_v7(), u.ids[1 + i % 100], md5(i::text || random()::text) || md5(i::text), gen_random_uuid(),
                   now() - interval '3 days' - (i % 1000 || ' minutes')::interval, now() - interval '40 days',
                   ('10.0.' || (i % 250) || '.' || (i / 250 % 250))::inet, 'Mozilla/5.0 (X11; Linux x86_64) bench/' || (i % 10)
            FROM (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'p4-user-%') AS u, generate_series(1, {Tokens}) AS i
            """);
        await Sql.ExecuteAsync(database.OwnerConnectionString, "VACUUM ANALYZE");
    }
}
