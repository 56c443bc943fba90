using System.IO.Compression;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using Platform.Worker.Archival;
using Platform.Worker.Jobs;

namespace Platform.Bench;

/// <summary>
/// P5: the Worker's audit archival (<see cref="AuditArchiver"/>: per tenant and UTC day, gzip NDJSON to S3, read back,
/// manifest, delete the rows) of 1,000,000 rows older than the retention (10 tenants × 10 days × 10,000) to a local s3rver,
/// against <c>COPY (SELECT …) TO STDOUT</c> of the same rows through a GZipStream (zlib 6) into a file. The reference runs
/// first (it deletes nothing); this process's resident set is sampled while ours runs, which must stay flat.
/// </summary>
public sealed class P5AuditArchival : IScenario
{
    private const int Tenants = 10;
    private const int Days = 10;
    private const int Rows = Tenants * Days * 10_000;
    private const string Columns = "id, tenant_id, actor_type, actor_id, action, target_type, target_id, severity, details, ip_address, user_agent, created_at";

    public string Id => "P5";
    public string Title => "Audit archival, 1 M rows to S3";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        var database = await PlatformDatabase.CreateAsync(environment.Postgres);
        await using var dropped = new Finally(() => Sql.DropAsync(database));
        await using var s3 = await LocalS3.StartAsync();
        var cutoff = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-new S3ArchiveOptions().RetentionDays);
        await SeedAsync(database, cutoff.AddDays(-19), Tenants, Days, 10_000);
        var exportSql = $"SELECT {Columns} FROM audit_logs WHERE created_at < '{cutoff.UtcDateTime:yyyy-MM-dd HH:mm:ss}+00'";
        var (copySeconds, copyRows) = await CopyToGzipAsync(database, exportSql);
        Check(copyRows == Rows, $"COPY exported {copyRows} rows, not {Rows}");

        S3ArchiveOptions Bucket(string name) => new() { ServiceUrl = s3.ServiceUrl, Bucket = name, AccessKey = LocalS3.AccessKey, SecretKey = LocalS3.SecretKey };
        var options = Bucket("p5-audit-archive");
        using var client = ArchiveS3Client.Create(options);

        // The job three times on a small database of its own (40 groups each: tiering needs 30 calls per method), then a
        // pause for the JIT's background compiles: the measured run finds the code compiled, as a long-running worker has it.
        for (var round = 0; round < 3; round++)
        {
            var small = await PlatformDatabase.CreateAsync(environment.Postgres);
            await SeedAsync(small, cutoff.AddDays(-12), 4, 10, 1_000);
            await Archiver(client, Bucket($"p5-warm-up-{round}"), small.AppConnectionString).RunAsync(CancellationToken.None);
            await Sql.DropAsync(small);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var rss = new List<(double Seconds, long Bytes)>();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        var watch = Stopwatch.StartNew();
        var job = Archiver(client, options, database.AppConnectionString).RunAsync(limit.Token);
        while (!job.IsCompleted)
        {
            rss.Add((watch.Elapsed.TotalSeconds, ProcStat.RssBytes(Environment.ProcessId)));
            await Task.WhenAny(job, Task.Delay(25));
        }

        await job;
        var oursSeconds = watch.Elapsed.TotalSeconds;
        var left = await Sql.ScalarAsync<long>(database.OwnerConnectionString, $"SELECT count(*) FROM ({exportSql}) AS old");
        var objects = (await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = options.Bucket })).S3Objects?.Count ?? 0; // one page: up to 1,000
        Check(left == 0, $"the archiver left {left} rows older than the cutoff");
        Check(objects == 2 * Tenants * Days, $"the bucket holds {objects} objects, not an archive and a manifest for each of {Tenants * Days} groups");

        var half = rss[^1].Seconds / 2;
        var firstHalf = rss.Where(s => s.Seconds <= half).Max(s => s.Bytes);
        var secondHalf = rss.Where(s => s.Seconds > half).Select(s => s.Bytes).DefaultIfEmpty(firstHalf).Max();
        var (oursRate, copyRate) = (Rows / oursSeconds, Rows / copySeconds);
        Console.WriteLine($"P5: archiver {F(oursSeconds, "0.00")} s, COPY | gzip {F(copySeconds, "0.00")} s; RSS start {Mib(rss[0].Bytes)}, halves {Mib(firstHalf)} / {Mib(secondHalf)}");
        return
        [
            new(Id, $"{Title}: rows/s vs COPY TO STDOUT through gzip into a file", $"{F(oursRate, "0")} rows/s ({F(oursSeconds)} s)",
                $"{F(copyRate, "0")} rows/s ({F(copySeconds)} s)", Ratio(oursRate, copyRate), "≥ 0.50×", oursRate >= 0.5 * copyRate),
            new(Id, $"{Title}: process RSS while archiving (in-process worker, server GC)",
                $"peak {Mib(Math.Max(firstHalf, secondHalf))} (start {Mib(rss[0].Bytes)}; 1st half {Mib(firstHalf)}, 2nd half {Mib(secondHalf)})",
                "-", Ratio(secondHalf, firstHalf), "flat: 2nd-half peak ≤ 1.10× 1st-half", secondHalf <= 1.10 * firstHalf),
        ];
    }

    private static AuditArchiver Archiver(IAmazonS3 client, S3ArchiveOptions options, string connectionString)
    {
        var db = Sql.AppOptions(connectionString);
        return new(client, Options.Create(options), db, new JobAudit(db, NullLogger<JobAudit>.Instance, TimeProvider.System), NullLogger<AuditArchiver>.Instance, TimeProvider.System);
    }

    /// <summary>The reference: COPY read with Npgsql's text export through a GZipStream (zlib 6) into a temp file, then deleted.</summary>
    private static async Task<(double Seconds, long Rows)> CopyToGzipAsync(PlatformDatabase database, string exportSql)
    {
        var path = Path.Combine(Path.GetTempPath(), $"p5-copy-{Guid.NewGuid():N}.tsv.gz");
        try
        {
            await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
            await connection.OpenAsync();
            var watch = Stopwatch.StartNew();
            long rows = 0;
            await using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Optimal))
            {
                using var reader = await connection.BeginTextExportAsync($"COPY ({exportSql}) TO STDOUT");
                var chars = new char[32 * 1024];
                var bytes = new byte[Encoding.UTF8.GetMaxByteCount(chars.Length)];
                int read;
                while ((read = await reader.ReadAsync(chars, 0, chars.Length)) > 0)
                {
                    rows += chars.AsSpan(0, read).Count('\n');
                    await gzip.WriteAsync(bytes.AsMemory(0, Encoding.UTF8.GetBytes(chars, 0, read, bytes, 0)));
                }
            }

            return (watch.Elapsed.TotalSeconds, rows);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Tenants and audit rows, <paramref name="perGroup"/> per tenant and UTC day from <paramref name="firstDay"/>, in created_at order; as the owner.</summary>
    private static async Task SeedAsync(PlatformDatabase database, DateTimeOffset firstDay, int tenants, int days, int perGroup)
    {
        await Sql.ExecuteAsync(database.OwnerConnectionString, $$"""
            {{Seeder.TenantsSql("P5 Bench", tenants)}};
            INSERT INTO audit_logs ({{Columns}})
            SELECT uuid_v7(), t.ids[1 + g % {{tenants}}],
                   (ARRAY['user', 'api_key', 'system'])[1 + g % 3]::audit_actor_type,
                   CASE WHEN g % 3 = 2 THEN NULL ELSE gen_random_uuid() END,
                   (ARRAY['agent.updated', 'agent.created', 'auth.login', 'skill.installed', 'team.invite_sent', 'api_key.created', 'tenant.updated'])[1 + g % 7],
                   CASE WHEN g % 4 = 0 THEN NULL ELSE (ARRAY['tenant', 'user', 'agent', 'skill', 'api_key', 'team'])[1 + g % 6]::audit_target_type END,
                   CASE WHEN g % 4 = 0 THEN NULL ELSE gen_random_uuid() END,
                   (ARRAY['info', 'info', 'info', 'warning', 'critical'])[1 + g % 5]::audit_severity,
                   CASE WHEN g % 5 = 4 THEN NULL
                        ELSE jsonb_build_object('changed', jsonb_build_object('name', 'agent-' || g, 'status', 'active'), 'requestId', md5(g::text)) END,
                   CASE WHEN g % 2 = 0 THEN ('10.1.' || (g % 250) || '.' || (g / 250 % 250))::inet END,
                   CASE WHEN g % 3 = 1 THEN NULL ELSE 'Mozilla/5.0 (X11; Linux x86_64) bench/' || (g % 10) END,
                   @first + (g / {{tenants * perGroup}}) * interval '1 day' + (g % {{tenants * perGroup}}) * (interval '1 day' / {{tenants * perGroup}})
            FROM (SELECT array_agg(id ORDER BY company_name) AS ids FROM tenants WHERE company_name LIKE 'P5 Bench %') AS t,
                 generate_series(0, {{tenants * days * perGroup - 1}}) AS g
            """, new Dictionary<string, object> { ["first"] = firstDay });
        await Sql.ExecuteAsync(database.OwnerConnectionString, "VACUUM ANALYZE");
        await Sql.ExecuteAsync(database.OwnerConnectionString, "CHECKPOINT");
    }
}
