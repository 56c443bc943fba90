using Microsoft.Extensions.Options;
using Platform.Worker.Jobs;

namespace Platform.Bench;

/// <summary>
/// P7: the Worker's hourly roll-up (<see cref="HealthRollupJob.RollUpHourAsync"/>, as the application role in platform
/// scope) of 1,000 containers × one hour of 15 s samples (240,000 raw rows), against the same aggregation written by hand
/// as one <c>INSERT … SELECT … GROUP BY</c> run as the owner.
/// Three runs each, the order rotating, the hourly rows deleted and the table vacuumed before every run; medians compared.
/// </summary>
public sealed class P7HealthRollup : IScenario
{
    private const int Containers = 1_000;
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

    // What the hourly rows hold, to check that every side computed the same roll-up.
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
        await using var dropped = new Finally(() => Sql.DropAsync(database));
        var now = DateTimeOffset.UtcNow;
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-3);
        await SeedAsync(database, hour);
        var options = Sql.AppOptions(database.AppConnectionString);
        var job = new HealthRollupJob(options, new JobAudit(options, NullLogger<JobAudit>.Instance, TimeProvider.System),
            Options.Create(new RetentionOptions()), TimeProvider.System);
        Task<int> Side(string side, DateTimeOffset at) => side == "ours" ? job.RollUpHourAsync(at, CancellationToken.None)
            : Sql.ExecuteAsync(database.OwnerConnectionString, HandWritten, new Dictionary<string, object> { ["hour"] = at, ["end"] = at.AddHours(1) });

        string[] sides = ["ours", "reference"];
        var times = sides.ToDictionary(s => s, _ => new List<double>());
        var fingerprints = new HashSet<string>();
        foreach (var side in sides)
        {
            await Side(side, hour.AddHours(-10)); // warm-up on an hour without samples: EF's model and the pools are ready
        }

        for (var run = 0; run < Runs; run++)
        {
            foreach (var side in sides.Skip(run).Concat(sides.Take(run)))
            {
                await Sql.ExecuteAsync(database.OwnerConnectionString, "DELETE FROM container_health WHERE resolution = 'hour'");
                await Sql.ExecuteAsync(database.OwnerConnectionString, "VACUUM ANALYZE container_health");
                var watch = Stopwatch.StartNew();
                var inserted = await Side(side, hour);
                times[side].Add(watch.Elapsed.TotalMilliseconds);
                Check(inserted == Containers, $"{side} inserted {inserted} hourly rows, not {Containers}");
                fingerprints.Add(await Sql.ScalarAsync<string>(database.OwnerConnectionString, Fingerprint));
            }
        }

        Check(fingerprints.Count == 1, "the sides' hourly rows differ");
        string Runs3(string side) => $"{F(Median(times[side]))} ms ({string.Join(", ", times[side].Select(v => F(v, "0")))})";
        var (ours, reference) = (Median(times["ours"]), Median(times["reference"]));
        return
        [
            new(Id, $"{Title}: RollUpHourAsync vs hand-written INSERT … SELECT … GROUP BY (median of {Runs})", Runs3("ours"), Runs3("reference"),
                Ratio(ours, reference), "≤ 1.2×", ours <= 1.2 * reference),
        ];
    }

    /// <summary>10 tenants, 1,000 agents each running one container, 240 raw samples per container 15 s apart in <paramref name="hour"/>, in time order.</summary>
    private static async Task SeedAsync(PlatformDatabase database, DateTimeOffset hour)
    {
        await Sql.ExecuteAsync(database.OwnerConnectionString, $$"""
            {{Seeder.TenantsSql("P7 Bench", 10)}};
            INSERT INTO agents (id, tenant_id, name, description, role, status, model_tier, thinking_mode, tool_policy, provision_attempts, created_at, updated_at, last_active_at)
            SELECT uuid_v7(), t.id, 'p7-agent-' || a, 'P7 agent ' || a, (ARRAY['pm','engineering','operations','custom'])[1 + a % 4]::agent_role,
                   'active', 'sonnet', 'off', '{"allowed":[],"denied":[],"approval_rules":[]}', 0, now(), now(), now()
            FROM tenants t, generate_series(1, {{Containers / 10}}) AS a WHERE t.company_name LIKE 'P7 Bench %';
            INSERT INTO container_health (id, tenant_id, agent_id, container_id, status, cpu_percent, memory_mb, memory_limit_mb,
                                          restart_count, sample_count, resolution, recorded_at)
            SELECT uuid_v7(), a.tenant_id, a.id, md5('container-' || a.n) || md5('c' || a.n),
                   CASE WHEN (a.n * 7 + s) % 97 = 0 THEN 'unhealthy' WHEN (a.n + s) % 31 = 0 THEN 'degraded' ELSE 'healthy' END::health_status,
                   ((a.n * 13 + s * 7) % 1000) / 10.0, 128 + (a.n * 17 + s * 3) % 900, 1024, s / 120, 1, 'raw',
                   @hour + s * interval '15 seconds'
            FROM (SELECT id, tenant_id, row_number() OVER (ORDER BY id) AS n FROM agents WHERE name LIKE 'p7-agent-%') AS a, generate_series(0, 239) AS s
            ORDER BY s, a.n
            """, new Dictionary<string, object> { ["hour"] = hour });
        await Sql.ExecuteAsync(database.OwnerConnectionString, "VACUUM ANALYZE");
    }
}
