using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Tests.Support;
using Platform.Worker.Jobs;
using static Platform.Bench.Scenarios.Checks;
using static Platform.Bench.Scenarios.Formatting;
using static Platform.Bench.Scenarios.Sql;
using static Platform.Bench.Scenarios.Statistics;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P7: the Worker's hourly roll-up (<see cref="HealthRollupJob.RollUpHourAsync"/>, as the application role in
/// platform scope) of 1,000 containers × one hour of 15 s samples (240,000 raw rows), against the same
/// aggregation written by hand as one <c>INSERT … SELECT … GROUP BY</c> run as the owner. Three runs each,
/// alternating, the hourly rows deleted (and the table vacuumed) before every run; medians compared.
/// </summary>
public sealed class P7HealthRollup : IScenario
{
    private const int Containers = 1_000;
    private const int SamplesPerContainer = 240;
    private const int Runs = 3;

    private const string HandWritten = """
        INSERT INTO container_health (id, tenant_id, agent_id, container_id, status, cpu_percent, memory_mb, memory_limit_mb,
                                      restart_count, sample_count, resolution, recorded_at)
        SELECT uuid_v7(), tenant_id, (array_agg(agent_id ORDER BY recorded_at DESC))[1], container_id, max(status),
               avg(cpu_percent), max(memory_mb), max(memory_limit_mb), max(restart_count), sum(sample_count)::int, 'hour', @hour
        FROM container_health
        WHERE resolution = 'raw' AND recorded_at >= @hour AND recorded_at < @end
        GROUP BY tenant_id, container_id
        """;

    // The job's platform scope, as TenantContextInterceptor sets it, in the same implicit transaction (returns no row).
    private const string AsPlatform = "SELECT 1 WHERE set_config('app.is_platform_admin', 'on', true) IS NULL;\n";

    // What the hourly rows hold, to check that both sides computed the same roll-up.
    private const string Fingerprint = """
        SELECT md5(string_agg(concat_ws('|', tenant_id, agent_id, container_id, status, round(cpu_percent::numeric, 6), memory_mb, memory_limit_mb,
                                        restart_count, sample_count, recorded_at), ',' ORDER BY container_id))
        FROM container_health WHERE resolution = 'hour'
        """;

    public string Id => "P7";

    public string Title => "Health roll-up, 1,000 containers × 240 samples";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        var database = await PlatformDatabase.CreateAsync(environment.Postgres);
        try
        {
            return await RunOnAsync(database);
        }
        finally
        {
            await ScenarioDatabases.DropAsync(database);
        }
    }

    private async Task<IReadOnlyList<ResultRow>> RunOnAsync(PlatformDatabase database)
    {
        var now = DateTimeOffset.UtcNow;
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-3);
        await SeedAsync(database, hour);

        var options = ScenarioDatabases.AppOptions(database.AppConnectionString);
        var job = new HealthRollupJob(options, new JobAudit(options, NullLogger<JobAudit>.Instance, TimeProvider.System),
            Options.Create(new RetentionOptions()), TimeProvider.System);
        var parameters = new Dictionary<string, object> { ["hour"] = hour, ["end"] = hour.AddHours(1) };

        // Warm-up on an hour without samples: EF's model and both connection pools are ready before anything is timed.
        await job.RollUpHourAsync(hour.AddHours(-10), CancellationToken.None);
        await ExecuteAsync(database.OwnerConnectionString, HandWritten, new Dictionary<string, object> { ["hour"] = hour.AddHours(-10), ["end"] = hour.AddHours(-9) });

        await ExecuteAsync(database.AppConnectionString, AsPlatform + HandWritten, new Dictionary<string, object> { ["hour"] = hour.AddHours(-10), ["end"] = hour.AddHours(-9) });

        // ours, the reference (owner), and for context the reference as the application role (row-level security applies); order rotates.
        var times = new Dictionary<string, List<double>> { ["ours"] = [], ["reference"] = [], ["app role"] = [] };
        var fingerprints = new HashSet<string>();
        string[] sides = ["ours", "reference", "app role"];
        for (var run = 0; run < Runs; run++)
        {
            foreach (var side in sides.Skip(run).Concat(sides.Take(run)))
            {
                await ResetAsync(database);
                var watch = Stopwatch.StartNew();
                var inserted = side switch
                {
                    "ours" => await job.RollUpHourAsync(hour, CancellationToken.None),
                    "reference" => await ExecuteAsync(database.OwnerConnectionString, HandWritten, parameters),
                    _ => await ExecuteAsync(database.AppConnectionString, AsPlatform + HandWritten, parameters),
                };
                var ms = watch.Elapsed.TotalMilliseconds;
                Check(inserted == Containers, $"{side} inserted {inserted} hourly rows, not {Containers}");
                fingerprints.Add(await ScalarAsync<string>(database.OwnerConnectionString, Fingerprint));
                times[side].Add(ms);
                Console.WriteLine($"P7 run {run + 1} {side}: {inserted} hourly rows in {F(ms)} ms");
            }
        }

        Check(fingerprints.Count == 1, "the job's hourly rows differ from the hand-written statement's");
        var ours = times["ours"];
        var reference = times["reference"];
        var appRole = times["app role"];

        var oursMedian = Median(ours);
        var referenceMedian = Median(reference);
        var met = oursMedian <= 1.2 * referenceMedian;
        if (!met)
        {
            await ResetAsync(database);
            var plan = await ExplainAnalyzeAsync(database.AppConnectionString,
                HandWritten.Replace("@hour", $"'{hour:O}'", StringComparison.Ordinal).Replace("@end", $"'{hour.AddHours(1):O}'", StringComparison.Ordinal)
                + " ON CONFLICT (container_id, recorded_at) WHERE resolution = 'hour' DO NOTHING",
                PlatformScope);
            Console.WriteLine($"P7 diagnosis: EXPLAIN ANALYZE of the job's statement as the application role:\n{plan}");
        }

        // For comparison (only in this scenario's database): the previous policy, which called its functions once per row
        // instead of once per statement. Measured next to the reference again.
        await TenantIsolationPolicy.SetAsync(database.OwnerConnectionString, "container_health", TenantIsolationPolicy.Previous);
        var previous = new List<double>();
        var referenceAgain = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            foreach (var side in run % 2 == 0 ? new[] { "ours", "reference" } : ["reference", "ours"])
            {
                await ResetAsync(database);
                var watch = Stopwatch.StartNew();
                var inserted = side == "ours"
                    ? await job.RollUpHourAsync(hour, CancellationToken.None)
                    : await ExecuteAsync(database.OwnerConnectionString, HandWritten, parameters);
                (side == "ours" ? previous : referenceAgain).Add(watch.Elapsed.TotalMilliseconds);
                Check(inserted == Containers, $"{side} inserted {inserted} hourly rows, not {Containers}");
            }
        }

        Console.WriteLine($"P7 with the previous policy (a function call per row): ours {string.Join(", ", previous.Select(v => F(v)))} ms; reference {string.Join(", ", referenceAgain.Select(v => F(v)))} ms");

        return
        [
            new ResultRow(Id, $"{Title}: RollUpHourAsync vs hand-written INSERT … SELECT … GROUP BY (median of {Runs})",
                $"{F(oursMedian)} ms ({string.Join(", ", ours.Select(v => F(v, "0")))})",
                $"{F(referenceMedian)} ms ({string.Join(", ", reference.Select(v => F(v, "0")))})",
                ResultsTable.Ratio(oursMedian, referenceMedian), "≤ 1.2×", met),
            new ResultRow(Id, $"{Title}: the hand-written statement as the application role (row-level security on), median of {Runs}",
                $"{F(Median(appRole))} ms ({string.Join(", ", appRole.Select(v => F(v, "0")))})", $"{F(referenceMedian)} ms (owner)",
                ResultsTable.Ratio(Median(appRole), referenceMedian), "(context)"),
            new ResultRow(Id, $"{Title}: RollUpHourAsync with the previous policy, a function call per row (for comparison), median of {Runs}",
                $"{F(Median(previous))} ms ({string.Join(", ", previous.Select(v => F(v, "0")))})",
                $"{F(Median(referenceAgain))} ms ({string.Join(", ", referenceAgain.Select(v => F(v, "0")))})",
                ResultsTable.Ratio(Median(previous), Median(referenceAgain)), "(context)"),
        ];
    }

    /// <summary>No hourly rows, dead tuples vacuumed away: every run inserts into the same table state.</summary>
    private static async Task ResetAsync(PlatformDatabase database)
    {
        await ExecuteAsync(database.OwnerConnectionString, "DELETE FROM container_health WHERE resolution = 'hour'");
        await ExecuteAsync(database.OwnerConnectionString, "VACUUM ANALYZE container_health");
    }

    /// <summary>10 tenants, 1,000 agents each running one container, 240 raw samples per container 15 s apart in <paramref name="hour"/>, written in time order.</summary>
    private static async Task SeedAsync(PlatformDatabase database, DateTimeOffset hour)
    {
        var watch = Stopwatch.StartNew();
        await ExecuteAsync(database.OwnerConnectionString, $$"""
            INSERT INTO tenants (id, company_name, admin_email, status, plan, model_defaults, resource_limits, created_at, updated_at)
            SELECT uuid_v7(), 'P7 Bench ' || lpad(i::text, 2, '0'), 'p7-admin-' || i || '@bench.test', 'active', 'enterprise',
                   '{"model_tier":"sonnet","thinking_mode":"off"}', '{"requests_per_minute":100000000}', now(), now()
            FROM generate_series(1, 10) AS i;
            INSERT INTO agents (id, tenant_id, name, description, role, status, model_tier, thinking_mode, tool_policy, created_at, updated_at, last_active_at)
            SELECT uuid_v7(), t.id, 'p7-agent-' || a, 'P7 agent ' || a, (ARRAY['pm','engineering','operations','custom'])[1 + a % 4]::agent_role,
                   'active', 'sonnet', 'off', '{"allowed":[],"denied":[],"approval_rules":[]}', now(), now(), now()
            FROM tenants t, generate_series(1, {{Containers / 10}}) AS a WHERE t.company_name LIKE 'P7 Bench %';
            INSERT INTO container_health (id, tenant_id, agent_id, container_id, status, cpu_percent, memory_mb, memory_limit_mb,
                                          restart_count, sample_count, resolution, recorded_at)
            SELECT uuid_v7(), a.tenant_id, a.id, md5('container-' || a.n) || md5('c' || a.n),
                   CASE WHEN (a.n * 7 + s) % 97 = 0 THEN 'unhealthy' WHEN (a.n + s) % 31 = 0 THEN 'degraded' ELSE 'healthy' END::health_status,
                   ((a.n * 13 + s * 7) % 1000) / 10.0, 128 + (a.n * 17 + s * 3) % 900, 1024, s / 120, 1, 'raw',
                   @hour + s * interval '15 seconds'
            FROM (SELECT id, tenant_id, row_number() OVER (ORDER BY id) AS n FROM agents WHERE name LIKE 'p7-agent-%') AS a,
                 generate_series(0, {{SamplesPerContainer - 1}}) AS s
            ORDER BY s, a.n
            """, new Dictionary<string, object> { ["hour"] = hour });
        await ExecuteAsync(database.OwnerConnectionString, "VACUUM ANALYZE");
        var raw = await ScalarAsync<long>(database.OwnerConnectionString, "SELECT count(*) FROM container_health WHERE resolution = 'raw'");
        Check(raw == Containers * SamplesPerContainer, $"{raw} raw samples were seeded, not {Containers * SamplesPerContainer}");
        Console.WriteLine($"P7 seed: {N(raw)} raw samples of {N(Containers)} containers in {F(watch.Elapsed.TotalSeconds)} s");
    }
}
