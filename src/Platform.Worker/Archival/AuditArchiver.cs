using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Platform.Data;
using Platform.Data.Tenancy;
using Platform.Worker.Jobs;

namespace Platform.Worker.Archival;

/// <summary>
/// Daily: audit rows older than the retention move to S3, one gzip NDJSON object per tenant and UTC day
/// (platform rows under <c>platform</c>) with a manifest beside it that chains to the tenant's previous
/// manifest by SHA-256. For each (tenant, day), oldest first:
/// <list type="number">
/// <item>stream the rows (ordered by created_at, id) as the application role in platform scope into a
/// gzip temp file, hashing the NDJSON and the gzip bytes on the way, so memory stays flat;</item>
/// <item>upload it, unless an object a stopped run left at that key holds exactly these rows, and read it
/// back: size and SHA-256 must match;</item>
/// <item>write the manifest and read it back;</item>
/// <item>delete exactly the archived rows, by the ids read from the verified file, in batches inside
/// one transaction.</item>
/// </list>
/// Keys are deterministic and nothing is deleted before its object and manifest are verified, so a
/// run stopped anywhere (S3 down, crash after the upload, crash after the manifest) loses no row and
/// leaves no duplicate object: the next run picks up where it stopped. Rows that reach a day after it
/// was archived are archived as a further part of the same day while that day is the chain's head;
/// older than that, they are held in PostgreSQL and the run fails so someone looks at them.
/// </summary>
public sealed class AuditArchiver(
    [FromKeyedServices(ArchiveSetup.S3ClientKey)] IAmazonS3 s3,
    IOptions<S3ArchiveOptions> options,
    DbContextOptions<PlatformDbContext> dbOptions,
    JobAudit audit,
    ILogger<AuditArchiver> logger,
    TimeProvider clock)
{
    public const string JobAction = "job.audit_archival";

    private const int MaxParts = 999;
    private const string IdLinePrefix = "{\"id\":\"";

    private readonly S3ArchiveOptions _options = options.Value;
    private readonly ArchiveStore _store = new(s3, options.Value);

    /// <summary>Test seam: runs after each step of a group, so a test can stop the run there.</summary>
    internal Func<ArchiveStep, ArchiveKey, Task>? AfterStep { get; set; }

    /// <summary>Test seam: restricts the run to these tenants (null = platform rows). Null = every tenant.</summary>
    internal IReadOnlyCollection<Guid?>? OnlyTenants { get; set; }

    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task RunAsync(CancellationToken cancellationToken) => audit.RunAsync(JobAction, ArchiveAsync, cancellationToken);

    /// <summary>One run without the job's audit row: what <see cref="RunAsync"/> wraps.</summary>
    internal async Task ArchiveAsync(JobCounts counts, CancellationToken cancellationToken)
    {
        var cutoffDay = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(-_options.RetentionDays));
        var cutoff = StartOf(cutoffDay);
        logger.LogInformation("Archiving audit rows created before {Cutoff:O} to s3://{Bucket}", cutoff, _store.Bucket);
        await _store.EnsureBucketAsync(cancellationToken);

        // Day by day, oldest first: each query reads one day's rows through the created_at index, so a
        // first run over a long backlog costs one pass over it, not one per page.
        var run = new RunState();
        var from = DateTimeOffset.UnixEpoch;
        while (await NextDayAsync(from, cutoff, cancellationToken) is { } day)
        {
            Guid? afterTenant = null;
            while (true)
            {
                var page = await ReadGroupsAsync(day, afterTenant, cancellationToken);
                foreach (var group in page)
                {
                    afterTenant = group.TenantId ?? Guid.Empty;
                    counts.Add("groups", 1);
                    await ArchiveGroupAsync(group, run, counts, cancellationToken);
                }

                if (page.Count < _options.GroupPageSize)
                {
                    break;
                }
            }

            from = StartOf(day).AddDays(1);
        }

        if (run.FailedGroups > 0 || run.HeldRows > 0)
        {
            throw new InvalidOperationException(
                $"Audit archival is incomplete: {run.FailedGroups} (tenant, day) groups could not be archived and {run.HeldRows} rows are held " +
                "in PostgreSQL; nothing of them was deleted. See the log for each.");
        }
    }

    private async Task ArchiveGroupAsync(ArchiveGroup group, RunState run, JobCounts counts, CancellationToken cancellationToken)
    {
        var tenant = ArchiveKeys.TenantLabel(group.TenantId);
        if (run.Blocked.Contains(tenant))
        {
            counts.Add("groups_skipped", 1);
            return;
        }

        var head = await GetHeadAsync(tenant, run, cancellationToken);
        if (head is { Manifest: null })
        {
            logger.LogError("The latest manifest of {Tenant}, s3://{Bucket}/{Key}, cannot be read as a manifest: the tenant is not archived until it is repaired",
                tenant, _store.Bucket, head.Key.ManifestKey);
            Fail(run, tenant, counts);
            return;
        }

        if (head is not null && head.Key.Day > group.Day)
        {
            logger.LogError(
                "{Rows} audit rows of {Tenant} from {Day} reached PostgreSQL after the archive had moved past that day (its chain ends at {Head}): they are held, not archived",
                group.RowCount, tenant, group.Day, head.Key.ManifestKey);
            run.HeldRows += group.RowCount;
            counts.Add("rows_held", group.RowCount);
            return;
        }

        var part = 1;
        if (head is not null && head.Key.Day == group.Day)
        {
            // The day has a manifest already: a run stopped before deleting its rows, or rows came late.
            if (!await FinishPartAsync(group, head, counts, cancellationToken))
            {
                Fail(run, tenant, counts);
                return;
            }

            part = head.Key.Part + 1;
            if (part > MaxParts)
            {
                logger.LogError("{Tenant} {Day} already has {Parts} archive parts: late rows are not archived", tenant, group.Day, MaxParts);
                Fail(run, tenant, counts);
                return;
            }
        }

        await ArchivePartAsync(group, ArchiveKeys.For(tenant, group.Day, part), head, run, counts, cancellationToken);
    }

    private static void Fail(RunState run, string tenant, JobCounts counts)
    {
        run.FailedGroups++;
        run.Blocked.Add(tenant);
        counts.Add("groups_failed", 1);
    }

    /// <summary>
    /// The rows of a day whose latest part already has a manifest: deletes that part's rows (by the ids in
    /// its object, once the object matches the manifest) if a stopped run left them. False when the object
    /// does not match its manifest: then nothing is deleted.
    /// </summary>
    private async Task<bool> FinishPartAsync(ArchiveGroup group, ChainHead head, JobCounts counts, CancellationToken cancellationToken)
    {
        var manifest = head.Manifest!;
        if (manifest.ObjectKey != head.Key.ObjectKey)
        {
            logger.LogError("Manifest s3://{Bucket}/{Key} names object {Object}, not {Expected}: nothing is deleted",
                _store.Bucket, head.Key.ManifestKey, manifest.ObjectKey, head.Key.ObjectKey);
            return false;
        }

        await using var file = CreateTempFile();
        ObjectDigest? digest;
        try
        {
            digest = await _store.DigestAsync(manifest.ObjectKey, decompress: false, copyTo: file, cancellationToken);
        }
        catch (InvalidDataException)
        {
            digest = null;
        }

        if (digest is null || digest.Sha256 != manifest.ObjectSha256 || digest.Bytes != manifest.ObjectBytes)
        {
            logger.LogError(
                "s3://{Bucket}/{Object} does not match its manifest (sha256 {Actual} / {Bytes} bytes, manifest {Expected} / {ExpectedBytes}): the rows of {Tenant} {Day} are not deleted",
                _store.Bucket, manifest.ObjectKey, digest?.Sha256 ?? "missing", digest?.Bytes, manifest.ObjectSha256, manifest.ObjectBytes, head.Key.Tenant, group.Day);
            return false;
        }

        var deleted = await DeleteArchivedRowsAsync(group, file, manifest.RowCount, cancellationToken);
        counts.Add("rows_deleted", deleted);
        if (deleted > 0)
        {
            counts.Add("groups_resumed", 1);
            logger.LogInformation("Resumed {Key}: deleted the {Rows} archived rows a stopped run had left", head.Key.ManifestKey, deleted);
        }

        return true;
    }

    private async Task ArchivePartAsync(
        ArchiveGroup group, ArchiveKey key, ChainHead? previous, RunState run, JobCounts counts, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await using var file = CreateTempFile();
        var written = await WriteRowsAsync(group, file, cancellationToken);
        if (written is null)
        {
            return; // the rows went away meanwhile (e.g. the tenant was deleted)
        }

        counts.Add("rows_archived", written.RowCount);
        var stored = await StoreObjectAsync(key, file, written, counts, cancellationToken);
        await StepAsync(ArchiveStep.ObjectStored, key);

        var manifest = new ArchiveManifest
        {
            Tenant = key.Tenant,
            Day = key.Day,
            Part = key.Part,
            RowCount = written.RowCount,
            FirstCreatedAt = written.FirstCreatedAt,
            LastCreatedAt = written.LastCreatedAt,
            FirstId = written.FirstId,
            LastId = written.LastId,
            ObjectKey = key.ObjectKey,
            ObjectSha256 = stored.Sha256,
            ObjectBytes = stored.Bytes,
            NdjsonSha256 = written.NdjsonSha256,
            PreviousManifestKey = previous?.Key.ManifestKey,
            PreviousManifestSha256 = previous?.Sha256,
            ArchivedAt = clock.GetUtcNow(),
        };
        var manifestSha = await StoreManifestAsync(key, manifest, cancellationToken);
        run.Heads[key.Tenant] = new ChainHead(key, manifestSha, manifest);
        counts.Add("manifests_written", 1);
        await StepAsync(ArchiveStep.ManifestWritten, key);

        var deleted = await DeleteArchivedRowsAsync(group, file, written.RowCount, cancellationToken);
        counts.Add("rows_deleted", deleted);
        logger.LogInformation(
            "Archived {Rows} audit rows of {Tenant} {Day} to s3://{Bucket}/{Object} ({Bytes} bytes, manifest sha256 {ManifestSha}); deleted {Deleted} rows in {Elapsed} ms",
            written.RowCount, key.Tenant, key.Day, _store.Bucket, key.ObjectKey, stored.Bytes, manifestSha, deleted, watch.ElapsedMilliseconds);
    }

    /// <summary>Puts the object and reads it back; reuses an object a stopped run left if it holds exactly these rows.</summary>
    private async Task<ObjectDigest> StoreObjectAsync(ArchiveKey key, FileStream file, WrittenArchive written, JobCounts counts, CancellationToken cancellationToken)
    {
        ObjectDigest? existing;
        try
        {
            existing = await _store.DigestAsync(key.ObjectKey, decompress: true, copyTo: null, cancellationToken);
        }
        catch (InvalidDataException)
        {
            existing = new ObjectDigest("unreadable", -1);
        }

        if (existing is not null)
        {
            if (existing.NdjsonSha256 == written.NdjsonSha256 && existing.Lines == written.RowCount)
            {
                counts.Add("objects_reused", 1);
                logger.LogInformation("s3://{Bucket}/{Object}, left by a stopped run, holds exactly these {Rows} rows: reused",
                    _store.Bucket, key.ObjectKey, written.RowCount);
                return existing;
            }

            // No manifest names it, so its rows were never deleted: they are all in this new object.
            logger.LogWarning("s3://{Bucket}/{Object}, left by a stopped run, does not hold the day's current rows: replaced",
                _store.Bucket, key.ObjectKey);
        }

        var metadata = new Dictionary<string, string>
        {
            ["row-count"] = written.RowCount.ToString(CultureInfo.InvariantCulture),
            ["sha256"] = written.ObjectSha256,
            ["ndjson-sha256"] = written.NdjsonSha256,
        };
        await _store.PutAsync(key.ObjectKey, file, "application/gzip", metadata, cancellationToken);
        var readBack = await _store.DigestAsync(key.ObjectKey, decompress: false, copyTo: null, cancellationToken);
        if (readBack is null || readBack.Sha256 != written.ObjectSha256 || readBack.Bytes != written.ObjectBytes)
        {
            throw new InvalidDataException(
                $"s3://{_store.Bucket}/{key.ObjectKey} reads back as {readBack?.Bytes.ToString(CultureInfo.InvariantCulture) ?? "nothing"} bytes " +
                $"(sha256 {readBack?.Sha256 ?? "-"}), not the {written.ObjectBytes} bytes uploaded (sha256 {written.ObjectSha256}): nothing is deleted. " +
                "An S3-compatible server that stores aws-chunked bodies verbatim needs Archive:UseChunkEncoding=false.");
        }

        counts.Add("objects_uploaded", 1);
        counts.Add("bytes_uploaded", written.ObjectBytes);
        return readBack;
    }

    private async Task<string> StoreManifestAsync(ArchiveKey key, ArchiveManifest manifest, CancellationToken cancellationToken)
    {
        var bytes = manifest.ToBytes();
        var sha = ArchiveManifest.Sha256Hex(bytes);
        using (var content = new MemoryStream(bytes))
        {
            await _store.PutAsync(key.ManifestKey, content, "application/json", null, cancellationToken);
        }

        var readBack = await _store.GetBytesAsync(key.ManifestKey, ArchiveStore.MaxManifestBytes, cancellationToken);
        if (readBack is null || ArchiveManifest.Sha256Hex(readBack) != sha)
        {
            throw new InvalidDataException($"s3://{_store.Bucket}/{key.ManifestKey} does not read back as written: nothing is deleted.");
        }

        return sha;
    }

    private async Task StepAsync(ArchiveStep step, ArchiveKey key)
    {
        if (AfterStep is { } hook)
        {
            await hook(step, key);
        }
    }

    /// <summary>The tenant's latest manifest (the chain's head), listed once a run and then kept current.</summary>
    private async Task<ChainHead?> GetHeadAsync(string tenant, RunState run, CancellationToken cancellationToken)
    {
        if (run.Heads.TryGetValue(tenant, out var cached))
        {
            return cached;
        }

        ArchiveKey? latest = null;
        await foreach (var (key, kind) in _store.ListAsync(tenant, cancellationToken))
        {
            if (kind == ArchiveKeyKind.Manifest && (latest is null || key > latest.Value))
            {
                latest = key;
            }
        }

        ChainHead? head = null;
        if (latest is { } headKey)
        {
            byte[]? bytes;
            try
            {
                bytes = await _store.GetBytesAsync(headKey.ManifestKey, ArchiveStore.MaxManifestBytes, cancellationToken);
            }
            catch (InvalidDataException)
            {
                bytes = null; // too big to be a manifest
            }

            // An unreadable head is reported (and the tenant skipped) by the caller.
            head = bytes is null
                ? new ChainHead(headKey, string.Empty, null)
                : new ChainHead(headKey, ArchiveManifest.Sha256Hex(bytes), ArchiveManifest.TryParse(bytes));
        }

        run.Heads[tenant] = head;
        return head;
    }

    /// <summary>The UTC day of the oldest row created in [<paramref name="from"/>, <paramref name="cutoff"/>), if any.</summary>
    private async Task<DateOnly?> NextDayAsync(DateTimeOffset from, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        List<NpgsqlParameter> parameters =
        [
            new NpgsqlParameter<DateTimeOffset>("from", from),
            new NpgsqlParameter<DateTimeOffset>("cutoff", cutoff),
        ];
        var sql = $"""
            SELECT (min(created_at) AT TIME ZONE 'UTC')::date AS "Value"
            FROM audit_logs
            WHERE created_at >= @from AND created_at < @cutoff {TenantFilter(parameters)}
            """;
        await using var db = new PlatformDbContext(dbOptions, TenantContext.ForPlatform());
        var days = await db.Database.SqlQueryRaw<DateOnly?>(sql, [.. parameters]).ToListAsync(cancellationToken);
        return days.SingleOrDefault();
    }

    /// <summary>The day's tenants with rows (platform first, then by id), a page after <paramref name="afterTenant"/>.</summary>
    private async Task<List<ArchiveGroup>> ReadGroupsAsync(DateOnly day, Guid? afterTenant, CancellationToken cancellationToken)
    {
        List<NpgsqlParameter> parameters =
        [
            new NpgsqlParameter<DateTimeOffset>("start", StartOf(day)),
            new NpgsqlParameter<DateTimeOffset>("end", StartOf(day).AddDays(1)),
            new NpgsqlParameter<DateOnly>("day", day),
            new NpgsqlParameter<int>("page", _options.GroupPageSize),
        ];
        var keyset = string.Empty;
        if (afterTenant is { } after)
        {
            keyset = "AND coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid) > @after";
            parameters.Add(new NpgsqlParameter<Guid>("after", after));
        }

        var sql = $"""
            SELECT tenant_id, @day AS day, count(*) AS row_count
            FROM audit_logs
            WHERE created_at >= @start AND created_at < @end {keyset} {TenantFilter(parameters)}
            GROUP BY tenant_id
            ORDER BY coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)
            LIMIT @page
            """;
        await using var db = new PlatformDbContext(dbOptions, TenantContext.ForPlatform());
        return await db.Database.SqlQueryRaw<ArchiveGroup>(sql, [.. parameters]).ToListAsync(cancellationToken);
    }

    /// <summary>The <see cref="OnlyTenants"/> restriction, if a test set one.</summary>
    private string TenantFilter(List<NpgsqlParameter> parameters)
    {
        if (OnlyTenants is not { } only)
        {
            return string.Empty;
        }

        parameters.Add(new NpgsqlParameter<Guid[]>("tenants", only.OfType<Guid>().ToArray()));
        parameters.Add(new NpgsqlParameter<bool>("platform", only.Contains(null)));
        return "AND (tenant_id = ANY(@tenants) OR (@platform AND tenant_id IS NULL))";
    }

    /// <summary>Streams the group's rows into <paramref name="file"/> as gzip NDJSON; null when it has none.</summary>
    private async Task<WrittenArchive?> WriteRowsAsync(ArchiveGroup group, FileStream file, CancellationToken cancellationToken)
    {
        var start = StartOf(group.Day);
        var sql = $"""
            SELECT id, tenant_id, actor_type::text AS actor_type, actor_id, action, target_type::text AS target_type, target_id,
                   severity::text AS severity, details::text AS details, abbrev(ip_address) AS ip_address, user_agent, created_at
            FROM audit_logs
            WHERE {TenantCondition(group)} AND created_at >= @start AND created_at < @end
            ORDER BY created_at, id
            """;

        using var ndjsonHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new ArrayBufferWriter<byte>(128 * 1024);
        long rows = 0;
        ArchiveRow? first = null;
        (DateTimeOffset CreatedAt, Guid Id) last = default;

        await using var hashing = new HashingStream(file, leaveOpen: true);
        await using (var gzip = new GZipStream(hashing, CompressionLevel.Optimal, leaveOpen: true))
        {
            await using var json = new Utf8JsonWriter(buffer);
            await using var db = new PlatformDbContext(dbOptions, TenantContext.ForPlatform());
            var query = db.Database.SqlQueryRaw<ArchiveRow>(sql, [.. TenantParameters(group), new NpgsqlParameter<DateTimeOffset>("start", start),
                new NpgsqlParameter<DateTimeOffset>("end", start.AddDays(1))]);
            await foreach (var row in query.AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                json.Reset(buffer);
                WriteRow(json, row);
                json.Flush();
                buffer.Write("\n"u8);
                rows++;
                first ??= row;
                last = (row.CreatedAt, row.Id);
                if (buffer.WrittenCount >= 64 * 1024)
                {
                    await FlushAsync();
                }
            }

            await FlushAsync();

            async Task FlushAsync()
            {
                ndjsonHash.AppendData(buffer.WrittenSpan);
                await gzip.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }

        await file.FlushAsync(cancellationToken);
        if (first is null)
        {
            return null;
        }

        return new WrittenArchive(rows, first.CreatedAt, first.Id, last.CreatedAt, last.Id,
            hashing.Sha256Hex(), hashing.BytesProcessed, Convert.ToHexStringLower(ndjsonHash.GetHashAndReset()));
    }

    private static void WriteRow(Utf8JsonWriter json, ArchiveRow row)
    {
        json.WriteStartObject();
        json.WriteString("id", row.Id);
        WriteGuid(json, "tenantId", row.TenantId);
        json.WriteString("actorType", row.ActorType);
        WriteGuid(json, "actorId", row.ActorId);
        json.WriteString("action", row.Action);
        json.WriteString("targetType", row.TargetType);
        WriteGuid(json, "targetId", row.TargetId);
        json.WriteString("severity", row.Severity);
        json.WritePropertyName("details");
        if (row.Details is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteRawValue(row.Details);
        }

        json.WriteString("ipAddress", row.IpAddress);
        json.WriteString("userAgent", row.UserAgent);
        json.WriteString("createdAt", row.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        json.WriteEndObject();
    }

    private static void WriteGuid(Utf8JsonWriter json, string name, Guid? value)
    {
        if (value is { } id)
        {
            json.WriteString(name, id);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>
    /// Deletes the rows whose ids are in the archive file (verified against S3 before this is called),
    /// in batches, in one transaction. Rows already gone are fine; a file that does not hold
    /// <paramref name="expectedRows"/> rows deletes nothing.
    /// </summary>
    private async Task<long> DeleteArchivedRowsAsync(ArchiveGroup group, FileStream file, long expectedRows, CancellationToken cancellationToken)
    {
        var start = StartOf(group.Day);
        var sql = $"DELETE FROM audit_logs WHERE id = ANY(@ids) AND {TenantCondition(group)} AND created_at >= @start AND created_at < @end";
        file.Position = 0;
        await using var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
        using var reader = new StreamReader(gzip, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
        await using var db = new PlatformDbContext(dbOptions, TenantContext.ForPlatform());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var ids = new List<Guid>(_options.DeleteBatchSize);
        long lines = 0;
        long deleted = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            ids.Add(ParseId(line));
            lines++;
            if (ids.Count == _options.DeleteBatchSize)
            {
                deleted += await DeleteBatchAsync();
            }
        }

        if (ids.Count > 0)
        {
            deleted += await DeleteBatchAsync();
        }

        if (lines != expectedRows)
        {
            throw new InvalidDataException($"The archive of {ArchiveKeys.TenantLabel(group.TenantId)} {group.Day} holds {lines} rows, not {expectedRows}: nothing is deleted.");
        }

        await transaction.CommitAsync(cancellationToken);
        if (deleted < lines)
        {
            logger.LogWarning("{Missing} of the {Rows} archived rows of {Tenant} {Day} were already gone from PostgreSQL",
                lines - deleted, lines, ArchiveKeys.TenantLabel(group.TenantId), group.Day);
        }

        return deleted;

        async Task<int> DeleteBatchAsync()
        {
            var affected = await db.Database.ExecuteSqlRawAsync(sql,
                [.. TenantParameters(group), new NpgsqlParameter<Guid[]>("ids", [.. ids]), new NpgsqlParameter<DateTimeOffset>("start", start),
                    new NpgsqlParameter<DateTimeOffset>("end", start.AddDays(1))],
                cancellationToken);
            ids.Clear();
            return affected;
        }
    }

    private static Guid ParseId(string line)
    {
        // Every line is written by WriteRow, id first.
        if (line.Length > IdLinePrefix.Length + 36 && line.StartsWith(IdLinePrefix, StringComparison.Ordinal) && line[IdLinePrefix.Length + 36] == '"'
            && Guid.TryParseExact(line.AsSpan(IdLinePrefix.Length, 36), "D", out var id))
        {
            return id;
        }

        throw new InvalidDataException("An archive line does not start with its row id.");
    }

    private static string TenantCondition(ArchiveGroup group) => group.TenantId is null ? "tenant_id IS NULL" : "tenant_id = @tenant";

    private static NpgsqlParameter[] TenantParameters(ArchiveGroup group) =>
        group.TenantId is { } id ? [new NpgsqlParameter<Guid>("tenant", id) { NpgsqlDbType = NpgsqlDbType.Uuid }] : [];

    private static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static FileStream CreateTempFile() =>
        new(Path.Combine(Path.GetTempPath(), $"platform-audit-archive-{Guid.NewGuid():N}.ndjson.gz"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 64 * 1024, FileOptions.Asynchronous | FileOptions.DeleteOnClose);

    private sealed class RunState
    {
        public Dictionary<string, ChainHead?> Heads { get; } = [];

        public HashSet<string> Blocked { get; } = [];

        public int FailedGroups { get; set; }

        public long HeldRows { get; set; }
    }

    private sealed record ChainHead(ArchiveKey Key, string Sha256, ArchiveManifest? Manifest);

    private sealed record WrittenArchive(
        long RowCount, DateTimeOffset FirstCreatedAt, Guid FirstId, DateTimeOffset LastCreatedAt, Guid LastId,
        string ObjectSha256, long ObjectBytes, string NdjsonSha256);
}

/// <summary>Where a test may stop a run (<see cref="AuditArchiver.AfterStep"/>).</summary>
internal enum ArchiveStep
{
    /// <summary>The object is uploaded (or reused) and verified; no manifest yet, nothing deleted.</summary>
    ObjectStored,

    /// <summary>The manifest is written and verified; nothing deleted yet.</summary>
    ManifestWritten,
}

/// <summary>A (tenant, UTC day) with rows older than the retention.</summary>
internal sealed class ArchiveGroup
{
    public Guid? TenantId { get; set; }

    public DateOnly Day { get; set; }

    public long RowCount { get; set; }
}

/// <summary>One audit row as it is archived: enums, inet and jsonb as PostgreSQL prints them.</summary>
internal sealed class ArchiveRow
{
    public Guid Id { get; set; }

    public Guid? TenantId { get; set; }

    public string ActorType { get; set; } = string.Empty;

    public Guid? ActorId { get; set; }

    public string Action { get; set; } = string.Empty;

    public string? TargetType { get; set; }

    public Guid? TargetId { get; set; }

    public string Severity { get; set; } = string.Empty;

    public string? Details { get; set; }

    public string? IpAddress { get; set; }

    public string? UserAgent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
