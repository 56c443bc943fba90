using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Data;
using Platform.Tests.Support;
using Platform.Worker.Archival;
using Platform.Worker.Jobs;
using static Platform.Bench.Scenarios.Checks;
using static Platform.Bench.Scenarios.Formatting;
using static Platform.Bench.Scenarios.Statistics;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P5: the Worker's audit archival (<see cref="AuditArchiver"/>: per tenant and UTC day, gzip NDJSON to S3,
/// read back, manifest, delete the rows) of 1,000,000 rows older than 90 days (10 tenants × 10 days ×
/// 10,000) to a local s3rver, against <c>COPY (SELECT …) TO STDOUT</c> of the same rows gzipped to a
/// file (<see cref="P5GzipExport"/>). The reference runs first (it deletes nothing), then the diagnosis
/// (<see cref="P5ArchivalDiagnosis"/>), then ours on the same rows; the process's resident set is sampled while ours runs.
/// </summary>
public sealed partial class P5AuditArchival : IScenario
{
    private const int Tenants = 10;
    private const int Days = 10;
    private const int RowsPerGroup = 10_000;
    private const int Rows = Tenants * Days * RowsPerGroup;

    private const string Columns = "id, tenant_id, actor_type, actor_id, action, target_type, target_id, severity, details, ip_address, user_agent, created_at";

    public string Id => "P5";

    public string Title => "Audit archival, 1 M rows to S3";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment)
    {
        var database = await PlatformDatabase.CreateAsync(environment.Postgres);
        try
        {
            await using var s3 = await LocalS3.StartAsync();
            return await RunOnAsync(environment, database, s3);
        }
        finally
        {
            await ScenarioDatabases.DropAsync(database);
        }
    }

    private async Task<IReadOnlyList<ResultRow>> RunOnAsync(BenchEnvironment environment, PlatformDatabase database, LocalS3 s3)
    {
        var now = DateTimeOffset.UtcNow;
        var retention = new S3ArchiveOptions().RetentionDays;
        var cutoff = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-retention);
        await SeedAsync(database, cutoff.AddDays(-19));
        var old = await CountOldAsync(database, cutoff);
        Check(old == Rows, $"{old} rows are older than the cutoff, not {Rows}");
        var exportSql = $"SELECT {Columns} FROM audit_logs WHERE created_at < '{cutoff.UtcDateTime:yyyy-MM-dd HH:mm:ss}+00'";

        // Reference: COPY ... TO STDOUT through gzip (zlib 6, gzip's default; the archiver writes level 2, about 15 % bigger) into a file.
        var (copySeconds, copyRows, copyBytes) = await P5GzipExport.CopyAsync(database, exportSql);
        Check(copyRows == Rows, $"COPY exported {copyRows} rows, not {Rows}");
        Console.WriteLine($"P5 COPY into GZipStream: {N(copyRows)} rows, {Mib(copyBytes)} in {F(copySeconds, "0.00")} s");
        var psql = await P5GzipExport.PsqlAsync(database, exportSql);
        if (psql is { } p)
        {
            Console.WriteLine($"P5 psql \\copy piped to gzip -6: {N(p.Rows)} rows, {Mib(p.Bytes)} in {F(p.Seconds, "0.00")} s");
        }

        var diagnosis = await P5ArchivalDiagnosis.DiagnoseAsync(database, cutoff);

        // Ours.
        var options = new S3ArchiveOptions
        {
            ServiceUrl = s3.ServiceUrl,
            Bucket = "p5-audit-archive",
            AccessKey = LocalS3.AccessKey,
            SecretKey = LocalS3.SecretKey,
        };
        using var realClient = ArchiveS3Client.Create(options);
        var (client, s3Timer) = TimedS3Client.Wrap(realClient);
        var timer = new EfStatementTimer(Classify);
        var dbOptions = ScenarioDatabases.AppOptions(database.AppConnectionString, timer);
        var logger = new CapturingLogger<AuditArchiver>();
        var archiver = Archiver(client, options, dbOptions, logger);
        await WarmUpAsync(environment, realClient, options, cutoff);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        IReadOnlyList<(double Seconds, long Bytes)> rss;
        double oursSeconds;
        string cpu;
        using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(20)))
        {
            await using var sampler = new ResidentSetSampler(TimeSpan.FromMilliseconds(25));
            var postmaster = ProcessCpuTime.PostmasterPid(environment);
            var window = CpuUsageWindow.Start(Environment.ProcessId);
            var pgBefore = postmaster is { } p0 ? ProcessCpuTime.CpuSeconds(p0, withChildren: true) : 0;
            var watch = Stopwatch.StartNew();
            await archiver.RunAsync(limit.Token);
            oursSeconds = watch.Elapsed.TotalSeconds;
            var (workerCores, machineBusy) = window.Stop();
            var pgCores = ((postmaster is { } p1 ? ProcessCpuTime.CpuSeconds(p1, withChildren: true) : 0) - pgBefore) / oursSeconds;
            cpu = $"worker {F(workerCores, "0.00")} cores, PostgreSQL {F(pgCores, "0.00")} cores, whole machine {F(machineBusy * 100, "0")} % busy of {Environment.ProcessorCount} cores";
            Console.WriteLine($"P5 CPU while archiving: {cpu}");
            rss = await sampler.StopAsync();
        }

        var left = await CountOldAsync(database, cutoff);
        var (objects, manifests, bytes) = await ListAsync(realClient, options.Bucket);
        Console.WriteLine($"P5 archiver: {N(Rows - left)} rows in {F(oursSeconds, "0.00")} s; {objects} objects ({Mib(bytes)}) and {manifests} manifests; {N(left)} old rows left");
        foreach (var message in logger.Messages.Take(3).Concat(logger.Messages.TakeLast(2)))
        {
            Console.WriteLine($"P5 archiver log: {message}");
        }

        Check(left == 0, $"the archiver left {left} rows older than the cutoff");
        Check(objects == Tenants * Days && manifests == Tenants * Days, $"the bucket holds {objects} objects and {manifests} manifests, not {Tenants * Days} of each");

        var oursRate = Rows / oursSeconds;
        var copyRate = Rows / copySeconds;
        var matches = logger.Messages.Select(m => GroupLine().Match(m)).Where(m => m.Success).ToList();
        double Part(int index) => matches.Sum(m => double.Parse(m.Groups[index].Value, CultureInfo.InvariantCulture)) / 1000;
        var groups = matches.Select(m => Enumerable.Range(1, 3).Sum(i => double.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture))).ToList();
        var export = Part(1);
        var store = Part(2);
        var delete = Part(3);
        var find = timer.TotalSeconds("find");

        var baseline = rss[0].Bytes;
        var half = rss[^1].Seconds / 2;
        var firstHalf = rss.Where(s => s.Seconds <= half).Max(s => s.Bytes);
        var secondHalf = rss.Where(s => s.Seconds > half).Select(s => s.Bytes).DefaultIfEmpty(firstHalf).Max();
        var peak = Math.Max(firstHalf, secondHalf);
        Console.WriteLine($"P5 RSS: start {Mib(baseline)}, peak {Mib(peak)} (first half {Mib(firstHalf)}, second half {Mib(secondHalf)}), end {Mib(rss[^1].Bytes)}, {rss.Count} samples");

        var s3Calls = s3Timer.Describe();
        Console.WriteLine($"P5 S3 calls (until the response headers): {s3Calls}");
        var s3Seconds = s3Timer.TotalSeconds;
        return
        [
            new ResultRow(Id, $"{Title}: rows/s vs COPY TO STDOUT through gzip into a file",
                $"{F(oursRate, "0")} rows/s ({F(oursSeconds, "0.0")} s)", $"{F(copyRate, "0")} rows/s ({F(copySeconds, "0.0")} s)",
                ResultsTable.Ratio(oursRate, copyRate), "≥ 0.50×", oursRate >= 0.5 * copyRate),
            new ResultRow(Id, $"{Title}: the job's time by part (the archiver's own per-group timings; each export overlaps the previous group's store and delete)",
                $"export (binary COPY, NDJSON formatting, gzip, hashing) {F(export, "0.0")} s (PostgreSQL reading the rows alone ≈ {F(diagnosis.GroupReadSeconds, "0.0")} s), " +
                $"store and verify {F(store, "0.0")} s (S3 calls until headers {F(s3Seconds, "0.0")} s), delete and commit {F(delete, "0.0")} s, " +
                $"find groups {F(find, "0.0")} s; per group median {F(Median(groups), "0")} ms (export + store + delete)",
                psql is { } q ? $"psql \\copy piped to gzip -6: {F(q.Rows / q.Seconds, "0")} rows/s ({F(q.Seconds, "0.0")} s)" : "-",
                "-", "(context)"),
            new ResultRow(Id, $"{Title}: CPU while the job runs (the rest of the machine's share is mostly the S3 server)", cpu, "-", "-", "(context)"),
            new ResultRow(Id, $"{Title}: what PostgreSQL needs for other shapes of the same work (diagnosis)",
                $"reads: {diagnosis.Groups} per-(tenant, day) statements {F(diagnosis.GroupReadSeconds, "0.0")} s, the same with the previous policy " +
                $"(a function call per row) {F(diagnosis.PreviousPolicyGroupReadSeconds, "0.0")} s, one statement per day {F(diagnosis.DayReadSeconds, "0.0")} s; " +
                $"delete: {F(delete, "0.0")} s by one statement per group in the export's snapshot, vs ≈ {F(diagnosis.RangeDeleteMs * diagnosis.Groups / 1000, "0.0")} s " +
                $"for the range statement alone ({F(diagnosis.RangeDeleteMs, "0")} ms × {diagnosis.Groups}, from EXPLAIN ANALYZE)",
                "-", "-", "(context)"),
            new ResultRow(Id, $"{Title}: process RSS while archiving (in-process worker, server GC)",
                $"{N(Rows - left)} rows, {objects} objects: peak {Mib(peak)} (start {Mib(baseline)}; 1st half {Mib(firstHalf)}, 2nd half {Mib(secondHalf)})",
                "-", ResultsTable.Ratio(secondHalf, firstHalf), "flat: 2nd-half peak ≤ 1.10× 1st-half", secondHalf <= 1.10 * firstHalf),
        ];
    }

    /// <summary>
    /// The same job, three times, on a small database of its own (4 tenants × 10 days × 1,000 rows each time, another bucket), then a
    /// pause for the tiered JIT's background compiles: the measured run finds the code compiled, as a long-running worker
    /// has it by its next daily run. Tiering needs 30 calls per method and tier, so each round archives 40 groups; without
    /// it the JIT took a quarter of the worker's CPU samples during the measured run (3,400 methods compiled).
    /// </summary>
    private static async Task WarmUpAsync(BenchEnvironment environment, IAmazonS3 client, S3ArchiveOptions options, DateTimeOffset cutoff)
    {
        for (var round = 0; round < 3; round++)
        {
            await WarmUpRoundAsync(environment, client, options, cutoff);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
    }

    private static async Task WarmUpRoundAsync(BenchEnvironment environment, IAmazonS3 client, S3ArchiveOptions options, DateTimeOffset cutoff)
    {
        var database = await PlatformDatabase.CreateAsync(environment.Postgres);
        try
        {
            await SeedAsync(database, cutoff.AddDays(-12), tenants: 4, days: 10, rowsPerGroup: 1_000);
            var warmUp = new S3ArchiveOptions
            {
                ServiceUrl = options.ServiceUrl,
                Bucket = options.Bucket + "-warm-up-" + Guid.NewGuid().ToString("N")[..8],
                AccessKey = options.AccessKey,
                SecretKey = options.SecretKey,
            };
            var archiver = Archiver(client, warmUp, ScenarioDatabases.AppOptions(database.AppConnectionString), NullLogger<AuditArchiver>.Instance);
            var watch = Stopwatch.StartNew();
            await archiver.RunAsync(CancellationToken.None);
            Console.WriteLine($"P5 warm-up: 40,000 rows in 40 groups archived in {F(watch.Elapsed.TotalSeconds, "0.00")} s");
        }
        finally
        {
            await ScenarioDatabases.DropAsync(database);
        }
    }

    /// <summary>The worker's archiver as its DI container builds it, over the bench's clients.</summary>
    private static AuditArchiver Archiver(IAmazonS3 client, S3ArchiveOptions options, DbContextOptions<PlatformDbContext> dbOptions, ILogger<AuditArchiver> logger) =>
        new(client, Options.Create(options), dbOptions, new JobAudit(dbOptions, NullLogger<JobAudit>.Instance, TimeProvider.System), logger, TimeProvider.System);

    // The group finder's statements; every other statement on audit_logs is a COPY or the delete, which the archiver times itself.
    private static string? Classify(string sql) =>
        sql.Contains("FROM audit_logs", StringComparison.Ordinal) && !sql.Contains("DELETE FROM audit_logs", StringComparison.Ordinal) ? "find" : null;

    private static async Task<(int Objects, int Manifests, long Bytes)> ListAsync(IAmazonS3 client, string bucket)
    {
        var request = new ListObjectsV2Request { BucketName = bucket };
        int objects = 0, manifests = 0;
        long bytes = 0;
        while (true)
        {
            var response = await client.ListObjectsV2Async(request);
            foreach (var item in response.S3Objects ?? [])
            {
                if (ArchiveKeys.TryParse(item.Key, out _, out var kind) && kind == ArchiveKeyKind.Manifest)
                {
                    manifests++;
                }
                else
                {
                    objects++;
                    bytes += item.Size ?? 0;
                }
            }

            if (response.IsTruncated != true)
            {
                return (objects, manifests, bytes);
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    private static Task<long> CountOldAsync(PlatformDatabase database, DateTimeOffset cutoff) =>
        Sql.ScalarAsync<long>(database.OwnerConnectionString, "SELECT count(*) FROM audit_logs WHERE created_at < @cutoff",
            new Dictionary<string, object> { ["cutoff"] = cutoff });

    /// <summary>
    /// 10 tenants and 1 M audit rows over 10 UTC days from <paramref name="firstDay"/> (days 100–109 before the cutoff
    /// day's retention), 10,000 per tenant and day, in created_at order as they would have been written; as the owner.
    /// </summary>
    private static async Task SeedAsync(PlatformDatabase database, DateTimeOffset firstDay, int tenants = Tenants, int days = Days, int rowsPerGroup = RowsPerGroup)
    {
        var watch = Stopwatch.StartNew();
        await Sql.ExecuteAsync(database.OwnerConnectionString, $$"""
            INSERT INTO tenants (id, company_name, admin_email, status, plan, model_defaults, resource_limits, created_at, updated_at)
            SELECT uuid_v7(), 'P5 Bench ' || lpad(i::text, 2, '0'), 'p5-admin-' || i || '@bench.test', 'active', 'enterprise',
                   '{"model_tier":"sonnet","thinking_mode":"off"}', '{"requests_per_minute":100000000}', now(), now()
            FROM generate_series(1, {{tenants}}) AS i;
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
                   @first + (g / {{tenants * rowsPerGroup}}) * interval '1 day' + (g % {{tenants * rowsPerGroup}}) * (interval '1 day' / {{tenants * rowsPerGroup}})
            FROM (SELECT array_agg(id ORDER BY company_name) AS ids FROM tenants WHERE company_name LIKE 'P5 Bench %') AS t,
                 generate_series(0, {{tenants * days * rowsPerGroup - 1}}) AS g
            """, new Dictionary<string, object> { ["first"] = firstDay });
        await Sql.ExecuteAsync(database.OwnerConnectionString, "VACUUM ANALYZE");
        await Sql.ExecuteAsync(database.OwnerConnectionString, "CHECKPOINT");
        Console.WriteLine($"P5 seed: {tenants} tenants, {N(tenants * days * rowsPerGroup)} audit rows from {firstDay:yyyy-MM-dd} in {F(watch.Elapsed.TotalSeconds)} s");
    }

    [GeneratedRegex(@"deleted \d+ rows \(export (\d+) ms, store and verify (\d+) ms, delete (\d+) ms\)")]
    private static partial Regex GroupLine();
}
