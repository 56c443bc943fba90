using System.Diagnostics;
using Platform.Data.Security;
using static Platform.Bench.Scenarios.Checks;
using static Platform.Bench.Scenarios.Formatting;
using static Platform.Bench.Scenarios.P4CleanupRuns;
using static Platform.Bench.Scenarios.Statistics;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P4: the Worker's refresh-token cleanup (<see cref="Platform.Worker.Jobs.CleanupJobs.RefreshTokensAsync"/>, batches of
/// 5,000) on 1,000,000 expired tokens against one bare <c>DELETE</c> of the same rows. The tokens are
/// seeded once into a template database of this scenario; every measurement runs on a fresh
/// file-level copy of it (CREATE DATABASE ... TEMPLATE), so each starts from the same pages. Time:
/// reference, ours, ours, reference, reference, ours; medians compared. Logins: see <see cref="P4LoginLatency"/>.
/// When the time goal is missed, see <see cref="P4SlowCleanupDiagnosis"/>.
/// </summary>
public sealed class P4TokenCleanup : IScenario
{
    public string Id => "P4";

    public string Title => "Refresh-token cleanup, 1 M expired";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        await using var template = await TemplateDatabase.CreateTemplateAsync(environment.Postgres, Id);
        await SeedAsync(template);
        return await MeasureAsync(environment, template);
    }

    private async Task<IReadOnlyList<ResultRow>> MeasureAsync(BenchEnvironment environment, TemplateDatabase template)
    {
        var rows = new List<ResultRow>();

        // Time: A B B A A B, each on a fresh copy; medians compared.
        var bare = new List<double>();
        var ours = new List<CleanupRun>();
        foreach (var side in new[] { "bare", "ours", "ours", "bare", "bare", "ours" })
        {
            await using var copy = await template.CopyAsync(side);
            if (side == "bare")
            {
                var seconds = await BareDeleteAsync(copy);
                bare.Add(seconds);
                Console.WriteLine($"P4 bare DELETE: {N(Tokens)} rows in {F(seconds, "0.00")} s (load average {CpuUsageWindow.LoadAverage()})");
            }
            else
            {
                var run = await CleanupAsync(copy);
                ours.Add(run);
                Check(run.Deleted == Tokens, $"the cleanup job removed {run.Deleted} rows, not {Tokens}");
                Console.WriteLine($"P4 cleanup job: {N(run.Deleted)} rows in {F(run.Seconds, "0.00")} s, {DescribeBatches(run.Batches)} (load average {CpuUsageWindow.LoadAverage()})");
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

        rows.AddRange(await P4LoginLatency.MeasureAsync(this, environment, template, oursSeconds, separateCores: false));
        if (CpuPinning.Possible)
        {
            rows.AddRange(await P4LoginLatency.MeasureAsync(this, environment, template, oursSeconds, separateCores: true));
        }

        if (!timeMet)
        {
            rows.AddRange(await P4SlowCleanupDiagnosis.DiagnoseAsync(this, template, bareSeconds));
        }

        return rows;
    }

    /// <summary>100 users of one tenant and 1 M tokens that expired 3 days to 3 days 17 h ago, as the owner; then VACUUM ANALYZE.</summary>
    private static async Task SeedAsync(TemplateDatabase database)
    {
        var watch = Stopwatch.StartNew();
        var hash = Passwords.Hash(BenchData.Password);
        await Sql.ExecuteAsync(database.OwnerConnectionString, """
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
        await Sql.ExecuteAsync(database.OwnerConnectionString, $"""
            INSERT INTO refresh_tokens (id, user_id, token_hash, family_id, expires_at, created_at, created_by_ip, user_agent)
            SELECT uuid_v7(), u.ids[1 + i % 100], md5(i::text || random()::text) || md5(i::text), gen_random_uuid(),
                   now() - interval '3 days' - (i % 1000 || ' minutes')::interval, now() - interval '40 days',
                   ('10.0.' || (i % 250) || '.' || (i / 250 % 250))::inet, 'Mozilla/5.0 (X11; Linux x86_64) bench/' || (i % 10)
            FROM (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'p4-user-%') AS u, generate_series(1, {Tokens}) AS i
            """);
        await Sql.ExecuteAsync(database.OwnerConnectionString, "VACUUM ANALYZE");
        Console.WriteLine($"P4 seed: 100 users, {N(Tokens)} expired tokens in {F(watch.Elapsed.TotalSeconds)} s");
    }
}
