using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Tests.Support;
using Platform.Worker.Archival;
using Platform.Worker.Jobs;
using static Platform.Bench.Scenarios.P4P5P7Support;

namespace Platform.Bench.Scenarios;

/// <summary>
/// P5: the Worker's audit archival (<see cref="AuditArchiver"/>: per tenant and UTC day, gzip NDJSON to S3,
/// read back, manifest, delete the rows) of 1,000,000 rows older than 90 days (10 tenants × 10 days ×
/// 10,000) to a local s3rver, against <c>COPY (SELECT …) TO STDOUT</c> of the same rows gzipped to a
/// file. The reference runs first (it deletes nothing), then ours on the same rows; the process's
/// resident set is sampled while ours runs.
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
            return await RunOnAsync(database, s3);
        }
        finally
        {
            await DropDatabaseAsync(database);
        }
    }

    private async Task<IReadOnlyList<ResultRow>> RunOnAsync(PlatformDatabase database, LocalS3 s3)
    {
        var now = DateTimeOffset.UtcNow;
        var retention = new S3ArchiveOptions().RetentionDays;
        var cutoff = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-retention);
        await SeedAsync(database, cutoff.AddDays(-19));
        var old = await CountOldAsync(database, cutoff);
        Check(old == Rows, $"{old} rows are older than the cutoff, not {Rows}");
        var exportSql = $"SELECT {Columns} FROM audit_logs WHERE created_at < '{cutoff.UtcDateTime:yyyy-MM-dd HH:mm:ss}+00'";

        // Reference: COPY ... TO STDOUT through gzip (the same zlib level as the archiver's CompressionLevel.Optimal) into a file.
        var (copySeconds, copyRows, copyBytes) = await CopyToGzipAsync(database, exportSql);
        Check(copyRows == Rows, $"COPY exported {copyRows} rows, not {Rows}");
        Console.WriteLine($"P5 COPY into GZipStream: {N(copyRows)} rows, {Mib(copyBytes)} in {F(copySeconds, "0.00")} s");
        var psql = await PsqlGzipAsync(database, exportSql);
        if (psql is { } p)
        {
            Console.WriteLine($"P5 psql \\copy piped to gzip -6: {N(p.Rows)} rows, {Mib(p.Bytes)} in {F(p.Seconds, "0.00")} s");
        }

        // Where the job's database time can go: one group's read and one delete batch (plans), and the 100 group reads alone.
        var diagnosis = await DiagnoseAsync(database, cutoff);

        // Ours.
        var options = new S3ArchiveOptions
        {
            ServiceUrl = s3.ServiceUrl,
            Bucket = "p5-audit-archive",
            AccessKey = LocalS3.AccessKey,
            SecretKey = LocalS3.SecretKey,
        };
        using var realClient = ArchiveS3Client.Create(options);
        var client = P5S3Timer.Wrap(realClient);
        var s3Timer = (P5S3Timer)(object)client;
        var timer = new P4P5P7CommandTimer(Classify);
        var dbOptions = AppOptions(database.AppConnectionString, timer);
        var logger = new P4P5P7CapturingLogger<AuditArchiver>();
        var archiver = new AuditArchiver(client, Options.Create(options), dbOptions,
            new JobAudit(dbOptions, NullLogger<JobAudit>.Instance, TimeProvider.System), logger, TimeProvider.System);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        IReadOnlyList<(double Seconds, long Bytes)> rss;
        double oursSeconds;
        using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(20)))
        {
            await using var sampler = new P4P5P7RssSampler(TimeSpan.FromMilliseconds(25));
            var watch = Stopwatch.StartNew();
            await archiver.RunAsync(limit.Token);
            oursSeconds = watch.Elapsed.TotalSeconds;
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
        var groups = logger.Messages.Select(m => GroupLine().Match(m)).Where(m => m.Success)
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        var export = timer.TotalSeconds("export");
        var delete = timer.TotalSeconds("delete");
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
            new ResultRow(Id, $"{Title}: the job's time by part (EF-measured statements)",
                $"read + NDJSON + gzip {F(export, "0.0")} s (of which PostgreSQL alone ≈ {F(diagnosis.GroupReadSeconds, "0.0")} s), delete {F(delete, "0.0")} s, " +
                $"find groups {F(find, "0.0")} s, S3 calls {F(s3Seconds, "0.0")} s, rest (read-back bodies, hashing, temp files) {F(oursSeconds - export - delete - find - s3Seconds, "0.0")} s; " +
                $"per group median {F(Median(groups), "0")} ms",
                psql is { } q ? $"psql \\copy piped to gzip -6: {F(q.Rows / q.Seconds, "0")} rows/s ({F(q.Seconds, "0.0")} s)" : "-",
                "-", "(context)"),
            new ResultRow(Id, $"{Title}: what PostgreSQL needs for other shapes of the same work (diagnosis)",
                $"reads: {diagnosis.Groups} per-(tenant, day) statements {F(diagnosis.GroupReadSeconds, "0.0")} s, the same with a candidate policy " +
                $"(functions in scalar subqueries) {F(diagnosis.CandidatePolicyGroupReadSeconds, "0.0")} s, one statement per day {F(diagnosis.DayReadSeconds, "0.0")} s; " +
                $"delete: {F(delete, "0.0")} s by 5,000-id batches vs ≈ {F(diagnosis.RangeDeleteMs * diagnosis.Groups / 1000, "0.0")} s by one range statement per group " +
                $"({F(diagnosis.RangeDeleteMs, "0")} ms × {diagnosis.Groups}, from EXPLAIN ANALYZE)",
                "-", "-", "(context)"),
            new ResultRow(Id, $"{Title}: process RSS while archiving (in-process worker, server GC)",
                $"{N(Rows - left)} rows, {objects} objects: peak {Mib(peak)} (start {Mib(baseline)}; 1st half {Mib(firstHalf)}, 2nd half {Mib(secondHalf)})",
                "-", ResultsTable.Ratio(secondHalf, firstHalf), "flat: 2nd-half peak ≤ 1.10× 1st-half", secondHalf <= 1.10 * firstHalf),
        ];
    }

    private static string? Classify(string sql) =>
        sql.Contains("DELETE FROM audit_logs", StringComparison.Ordinal) ? "delete"
        : sql.Contains("ORDER BY created_at, id", StringComparison.Ordinal) ? "export"
        : sql.Contains("FROM audit_logs", StringComparison.Ordinal) ? "find"
        : null;

    /// <summary>
    /// Printed: the plans of one group's read (the archive writer's statement) and of one 5,000-id delete batch (rolled back),
    /// as the application role in platform scope. Returned: the time PostgreSQL needs for the 100 group reads alone (each
    /// the writer's ordered statement as COPY TO STDOUT, rows discarded).
    /// </summary>
    private static async Task<P5Diagnosis> DiagnoseAsync(PlatformDatabase database, DateTimeOffset cutoff)
    {
        const string Platform = "SELECT set_config('app.is_platform_admin', 'on', true)";
        var groups = new List<(Guid Tenant, DateTime Day)>();
        await using (var connection = new NpgsqlConnection(database.OwnerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date FROM audit_logs WHERE created_at < @cutoff GROUP BY 1, 2 ORDER BY 2, 1", connection);
            command.Parameters.AddWithValue("cutoff", cutoff);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                groups.Add((reader.GetGuid(0), reader.GetDateTime(1)));
            }
        }

        async Task ReadGroupsAsync()
        {
            await using var connection = new NpgsqlConnection(database.AppConnectionString);
            await connection.OpenAsync();
            var buffer = new char[32 * 1024];
            foreach (var group in groups)
            {
                await using var transaction = await connection.BeginTransactionAsync();
                await using (var setup = new NpgsqlCommand(Platform, connection, transaction))
                {
                    await setup.ExecuteNonQueryAsync();
                }

                using (var reader = await connection.BeginTextExportAsync($"COPY ({GroupSql(group)}) TO STDOUT"))
                {
                    while (await reader.ReadAsync(buffer, 0, buffer.Length) > 0)
                    {
                    }
                }

                await transaction.CommitAsync();
            }
        }

        static string GroupSql((Guid Tenant, DateTime Day) group) => $"""
            SELECT id, tenant_id, actor_type::text AS actor_type, actor_id, action, target_type::text AS target_type, target_id,
                   severity::text AS severity, details::text AS details, abbrev(ip_address) AS ip_address, user_agent, created_at
            FROM audit_logs
            WHERE tenant_id = '{group.Tenant}' AND created_at >= '{group.Day:yyyy-MM-dd} 00:00:00+00' AND created_at < '{group.Day.AddDays(1):yyyy-MM-dd} 00:00:00+00'
            ORDER BY created_at, id
            """;

        var first = groups[0];
        Console.WriteLine($"P5 diagnosis: EXPLAIN ANALYZE of one group's read:\n{await ExplainAnalyzeAsync(database.AppConnectionString, GroupSql(first), Platform)}");
        var ids = new List<Guid>();
        await using (var connection = new NpgsqlConnection(database.OwnerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(GroupSql(first) + " LIMIT 5000", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetGuid(0));
            }
        }

        var delete = $"DELETE FROM audit_logs WHERE id = ANY('{{{string.Join(',', ids)}}}'::uuid[]) AND tenant_id = '{first.Tenant}' " +
            $"AND created_at >= '{first.Day:yyyy-MM-dd} 00:00:00+00' AND created_at < '{first.Day.AddDays(1):yyyy-MM-dd} 00:00:00+00'";
        Console.WriteLine($"P5 diagnosis: EXPLAIN ANALYZE of one 5,000-id delete batch (rolled back):\n{await ExplainAnalyzeAsync(database.AppConnectionString, delete, Platform)}");
        var rangeDelete = $"DELETE FROM audit_logs WHERE tenant_id = '{first.Tenant}' " +
            $"AND created_at >= '{first.Day:yyyy-MM-dd} 00:00:00+00' AND created_at < '{first.Day.AddDays(1):yyyy-MM-dd} 00:00:00+00'";
        var rangePlan = await ExplainAnalyzeAsync(database.AppConnectionString, rangeDelete, Platform);
        Console.WriteLine($"P5 diagnosis: EXPLAIN ANALYZE of one group's rows deleted by its range in one statement (rolled back):\n{rangePlan}");
        var rangeMs = double.Parse(ExecutionTime().Match(rangePlan).Groups[1].Value, CultureInfo.InvariantCulture);

        var watch = Stopwatch.StartNew();
        await ReadGroupsAsync();
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"P5 diagnosis: the {groups.Count} group reads alone (COPY of each ordered group statement, discarded): {F(seconds, "0.00")} s");

        // The same rows read a day at a time (all tenants of the day in one statement, ordered by tenant), as a day-wise writer would.
        watch.Restart();
        await using (var connection = new NpgsqlConnection(database.AppConnectionString))
        {
            await connection.OpenAsync();
            var buffer = new char[32 * 1024];
            foreach (var day in groups.Select(g => g.Day).Distinct())
            {
                await using var transaction = await connection.BeginTransactionAsync();
                await using (var setup = new NpgsqlCommand(Platform, connection, transaction))
                {
                    await setup.ExecuteNonQueryAsync();
                }

                var sql = GroupSql((Guid.Empty, day)).Replace($"tenant_id = '{Guid.Empty}' AND ", "", StringComparison.Ordinal)
                    .Replace("ORDER BY created_at, id", "ORDER BY tenant_id, created_at, id", StringComparison.Ordinal);
                using (var reader = await connection.BeginTextExportAsync($"COPY ({sql}) TO STDOUT"))
                {
                    while (await reader.ReadAsync(buffer, 0, buffer.Length) > 0)
                    {
                    }
                }

                await transaction.CommitAsync();
            }
        }

        var daySeconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"P5 diagnosis: the same rows read one day per statement (ordered by tenant, created_at, id), discarded: {F(daySeconds, "0.00")} s");

        // Candidate (not the product; only in this scenario's database, and put back before the job runs): the policy's
        // functions in scalar subqueries, evaluated once per statement; then the 100 group reads again.
        const string PolicyText = "SELECT qual || ' / ' || with_check FROM pg_policies WHERE tablename = 'audit_logs' AND policyname = 'tenant_isolation'";
        var productPolicy = await ScalarAsync<string>(database.OwnerConnectionString, PolicyText);
        await ExecuteAsync(database.OwnerConnectionString, $"ALTER POLICY tenant_isolation ON audit_logs USING ({CandidatePolicy}) WITH CHECK ({CandidatePolicy})");
        double candidateSeconds;
        try
        {
            Console.WriteLine($"P5 diagnosis: EXPLAIN ANALYZE of one group's read with the candidate policy:\n{await ExplainAnalyzeAsync(database.AppConnectionString, GroupSql(first), Platform)}");
            watch.Restart();
            await ReadGroupsAsync();
            candidateSeconds = watch.Elapsed.TotalSeconds;
        }
        finally
        {
            await ExecuteAsync(database.OwnerConnectionString, $"ALTER POLICY tenant_isolation ON audit_logs USING ({ProductPolicy}) WITH CHECK ({ProductPolicy})");
        }

        var restored = await ScalarAsync<string>(database.OwnerConnectionString, PolicyText);
        Check(restored == productPolicy, $"the audit_logs policy was not put back: {restored} instead of {productPolicy}");
        Console.WriteLine($"P5 diagnosis: the {groups.Count} group reads with the candidate policy: {F(candidateSeconds, "0.00")} s");
        return new P5Diagnosis(seconds, daySeconds, candidateSeconds, rangeMs, groups.Count);
    }

    // DatabaseSecurity's predicate, and the same with each function in a scalar subquery (an InitPlan, evaluated once).
    private const string ProductPolicy = "tenant_id = app_current_tenant_id() OR app_is_platform_admin()";
    private const string CandidatePolicy = "(SELECT app_is_platform_admin()) OR tenant_id = (SELECT app_current_tenant_id())";

    private sealed record P5Diagnosis(double GroupReadSeconds, double DayReadSeconds, double CandidatePolicyGroupReadSeconds, double RangeDeleteMs, int Groups);

    [GeneratedRegex(@"Execution Time: ([0-9.]+) ms")]
    private static partial Regex ExecutionTime();

    /// <summary>COPY (SELECT ...) TO STDOUT read with Npgsql's text export, through a GZipStream (CompressionLevel.Optimal) into a temp file.</summary>
    private static async Task<(double Seconds, long Rows, long Bytes)> CopyToGzipAsync(PlatformDatabase database, string exportSql)
    {
        var path = Path.Combine(Path.GetTempPath(), $"p5-copy-{Guid.NewGuid():N}.tsv.gz");
        try
        {
            await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
            await connection.OpenAsync();
            var watch = Stopwatch.StartNew();
            long rows = 0;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            await using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
            {
                using var reader = await connection.BeginTextExportAsync($"COPY ({exportSql}) TO STDOUT");
                var chars = new char[32 * 1024];
                var bytes = new byte[Encoding.UTF8.GetMaxByteCount(chars.Length)];
                int read;
                while ((read = await reader.ReadAsync(chars, 0, chars.Length)) > 0)
                {
                    rows += chars.AsSpan(0, read).Count('\n');
                    var count = Encoding.UTF8.GetBytes(chars, 0, read, bytes, 0);
                    await gzip.WriteAsync(bytes.AsMemory(0, count));
                }
            }

            return (watch.Elapsed.TotalSeconds, rows, new FileInfo(path).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The shell version, for context: psql \copy ... TO STDOUT | gzip -6 > file. Null when psql or gzip is missing.</summary>
    private static async Task<(double Seconds, long Rows, long Bytes)?> PsqlGzipAsync(PlatformDatabase database, string exportSql)
    {
        var path = Path.Combine(Path.GetTempPath(), $"p5-psql-{Guid.NewGuid():N}.tsv.gz");
        var builder = new NpgsqlConnectionStringBuilder(database.OwnerConnectionString);
        try
        {
            var watch = Stopwatch.StartNew();
            await Tools.RunAsync("bash", ["-c", "set -o pipefail; psql -X -q -v ON_ERROR_STOP=1 -c \"$P5_COPY\" | gzip -6 > \"$P5_OUT\""],
                new Dictionary<string, string>
                {
                    ["PGHOST"] = builder.Host!,
                    ["PGPORT"] = builder.Port.ToString(CultureInfo.InvariantCulture),
                    ["PGUSER"] = builder.Username!,
                    ["PGDATABASE"] = builder.Database!,
                    ["P5_COPY"] = $"\\copy ({exportSql}) TO STDOUT",
                    ["P5_OUT"] = path,
                });
            var seconds = watch.Elapsed.TotalSeconds;
            long rows = 0;
            await using (var input = new GZipStream(File.OpenRead(path), CompressionMode.Decompress))
            {
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await input.ReadAsync(buffer)) > 0)
                {
                    rows += buffer.AsSpan(0, read).Count((byte)'\n');
                }
            }

            return (seconds, rows, new FileInfo(path).Length);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            Console.WriteLine($"P5 psql | gzip skipped: {ex.Message}");
            return null;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<(int Objects, int Manifests, long Bytes)> ListAsync(Amazon.S3.IAmazonS3 client, string bucket)
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
        ScalarAsync<long>(database.OwnerConnectionString, "SELECT count(*) FROM audit_logs WHERE created_at < @cutoff",
            new Dictionary<string, object> { ["cutoff"] = cutoff });

    /// <summary>
    /// 10 tenants and 1 M audit rows over 10 UTC days from <paramref name="firstDay"/> (days 100–109 before the cutoff
    /// day's retention), 10,000 per tenant and day, in created_at order as they would have been written; as the owner.
    /// </summary>
    private static async Task SeedAsync(PlatformDatabase database, DateTimeOffset firstDay)
    {
        var watch = Stopwatch.StartNew();
        await ExecuteAsync(database.OwnerConnectionString, $$"""
            INSERT INTO tenants (id, company_name, admin_email, status, plan, model_defaults, resource_limits, created_at, updated_at)
            SELECT uuid_v7(), 'P5 Bench ' || lpad(i::text, 2, '0'), 'p5-admin-' || i || '@bench.test', 'active', 'enterprise',
                   '{"model_tier":"sonnet","thinking_mode":"off"}', '{"requests_per_minute":100000000}', now(), now()
            FROM generate_series(1, {{Tenants}}) AS i;
            INSERT INTO audit_logs ({{Columns}})
            SELECT uuid_v7(), t.ids[1 + g % {{Tenants}}],
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
                   @first + (g / {{Tenants * RowsPerGroup}}) * interval '1 day' + (g % {{Tenants * RowsPerGroup}}) * (interval '1 day' / {{Tenants * RowsPerGroup}})
            FROM (SELECT array_agg(id ORDER BY company_name) AS ids FROM tenants WHERE company_name LIKE 'P5 Bench %') AS t,
                 generate_series(0, {{Rows - 1}}) AS g
            """, new Dictionary<string, object> { ["first"] = firstDay });
        await ExecuteAsync(database.OwnerConnectionString, "VACUUM ANALYZE");
        await ExecuteAsync(database.OwnerConnectionString, "CHECKPOINT");
        Console.WriteLine($"P5 seed: {Tenants} tenants, {N(Rows)} audit rows from {firstDay:yyyy-MM-dd} in {F(watch.Elapsed.TotalSeconds)} s");
    }

    [GeneratedRegex(@"deleted \d+ rows in (\d+) ms")]
    private static partial Regex GroupLine();

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}

/// <summary>An <see cref="Amazon.S3.IAmazonS3"/> that forwards every call and adds up, per operation, the time until its task completes.</summary>
public class P5S3Timer : System.Reflection.DispatchProxy
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Calls, double Ms)> _calls = new();
    private Amazon.S3.IAmazonS3 _target = null!;

    public double TotalSeconds => _calls.Values.Sum(c => c.Ms) / 1000;

    public static Amazon.S3.IAmazonS3 Wrap(Amazon.S3.IAmazonS3 target)
    {
        var proxy = Create<Amazon.S3.IAmazonS3, P5S3Timer>();
        ((P5S3Timer)(object)proxy)._target = target;
        return proxy;
    }

    public string Describe() => string.Join(", ", _calls.OrderByDescending(c => c.Value.Ms)
        .Select(c => $"{c.Key.Replace("Async", "", StringComparison.Ordinal)} {c.Value.Calls}× {(c.Value.Ms / 1000).ToString("0.0", CultureInfo.InvariantCulture)} s"));

    protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var watch = Stopwatch.StartNew();
        object? result;
        try
        {
            result = targetMethod.Invoke(_target, args);
        }
        catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }

        if (result is Task task && targetMethod.Name.EndsWith("Async", StringComparison.Ordinal))
        {
            _ = task.ContinueWith(_ => Record(targetMethod.Name, watch.Elapsed), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return result;
    }

    private void Record(string name, TimeSpan elapsed) =>
        _calls.AddOrUpdate(name, (1, elapsed.TotalMilliseconds), (_, c) => (c.Calls + 1, c.Ms + elapsed.TotalMilliseconds));
}
