using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Platform.Tests.Support;
using Platform.Worker.Archival;

namespace Platform.Worker.Tests;

/// <summary>One s3rver per test class; each test uses a bucket of its own.</summary>
public sealed class LocalS3Fixture : IAsyncLifetime
{
    public LocalS3 S3 { get; private set; } = null!;

    public async ValueTask InitializeAsync() => S3 = await LocalS3.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (S3 is not null)
        {
            await S3.DisposeAsync();
        }
    }
}

/// <summary>A clock that stays where a test put it, so a run near midnight UTC cuts where the test expects.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>One seeded audit row, as the test expects to find it in an archive.</summary>
internal sealed record SeededRow(Guid Id, Guid? TenantId, DateTimeOffset CreatedAt);

/// <summary>An archive bucket on the test's s3rver plus the helpers the archival tests share.</summary>
internal sealed class ArchiveHarness : IDisposable
{
    private readonly WorkerFixture _fixture;

    public ArchiveHarness(WorkerFixture fixture, LocalS3 s3, DateTimeOffset? now = null, int deleteBatchSize = 500, bool? useChunkEncoding = null, string? bucket = null)
    {
        _fixture = fixture;
        S3 = s3;
        Now = now ?? DateTimeOffset.UtcNow;
        Options = new S3ArchiveOptions
        {
            ServiceUrl = s3.ServiceUrl,
            Bucket = bucket ?? "audit-" + Guid.NewGuid().ToString("N")[..12],
            AccessKey = LocalS3.AccessKey,
            SecretKey = LocalS3.SecretKey,
            DeleteBatchSize = deleteBatchSize,
            UseChunkEncoding = useChunkEncoding,
        };
        Client = ArchiveS3Client.Create(Options);
    }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public LocalS3 S3 { get; }

    public DateTimeOffset Now { get; }

    /// <summary>The first day that is not archived yet: every earlier UTC day is older than the retention.</summary>
    public DateOnly CutoffDay => DateOnly.FromDateTime(Now.UtcDateTime.AddDays(-Options.RetentionDays));

    public S3ArchiveOptions Options { get; }

    public IAmazonS3 Client { get; }

    public string Bucket => Options.Bucket;

    public AuditArchiver Archiver(params Guid?[] tenants) =>
        new(Client, Microsoft.Extensions.Options.Options.Create(Options), _fixture.AppOptions, _fixture.JobAudit(),
            NullLogger<AuditArchiver>.Instance, new FixedClock(Now))
        {
            OnlyTenants = tenants,
        };

    public ArchiveVerifier Verifier() => new(Client, Microsoft.Extensions.Options.Options.Create(Options), NullLogger<ArchiveVerifier>.Instance);

    /// <summary>One run as Hangfire runs it (through JobAudit); returns its counts.</summary>
    public Task<IReadOnlyDictionary<string, long>> RunAsync(AuditArchiver archiver) =>
        _fixture.JobAudit().RunAsync(AuditArchiver.JobAction, archiver.ArchiveAsync, Ct);

    /// <summary>The verify-archive command against this bucket; returns its exit code and output.</summary>
    public async Task<(int? ExitCode, string Output)> VerifyCommandAsync(string tenant)
    {
        using var output = new StringWriter();
        var exitCode = await ArchiveSetup.TryRunCommandAsync(
            [
                "verify-archive", "--tenant", tenant,
                $"--Archive:ServiceUrl={Options.ServiceUrl}", $"--Archive:Bucket={Bucket}",
                $"--Archive:AccessKey={LocalS3.AccessKey}", $"--Archive:SecretKey={LocalS3.SecretKey}",
            ],
            output, output, Ct);
        return (exitCode, output.ToString());
    }

    /// <summary>Key → ETag of every object in the bucket.</summary>
    public async Task<SortedDictionary<string, string>> ListAsync(string prefix = "audit/")
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix };
        while (true)
        {
            var response = await Client.ListObjectsV2Async(request, Ct);
            foreach (var item in response.S3Objects ?? [])
            {
                result[item.Key] = item.ETag;
            }

            if (response.IsTruncated != true)
            {
                return result;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public async Task<byte[]> DownloadAsync(string key)
    {
        using var response = await Client.GetObjectAsync(Bucket, key, Ct);
        await using var body = response.ResponseStream;
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }

    public async Task<bool> ExistsAsync(string key)
    {
        try
        {
            await Client.GetObjectMetadataAsync(Bucket, key, Ct);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task UploadAsync(string key, byte[] content)
    {
        using var stream = new MemoryStream(content);
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = stream, UseChunkEncoding = false }, Ct);
    }

    /// <summary>The archive object's rows, one JSON document per NDJSON line.</summary>
    public static List<JsonElement> ReadLines(byte[] gzip)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var reader = new StreamReader(input);
        var lines = new List<JsonElement>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(JsonDocument.Parse(line).RootElement.Clone());
        }

        return lines;
    }

    public async Task<(ArchiveManifest Manifest, string Sha256)> ManifestAsync(string key)
    {
        var bytes = await DownloadAsync(key);
        return (ArchiveManifest.TryParse(bytes) ?? throw new InvalidDataException($"{key} is not a manifest"), Sha256(bytes));
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static ArchiveKey Key(Guid? tenant, DateOnly day, int part = 1) => ArchiveKeys.For(ArchiveKeys.TenantLabel(tenant), day, part);

    public void Dispose() => Client.Dispose();
}

/// <summary>Audit rows written straight into the table with binary COPY, as the owner (bypassing row-level security).</summary>
internal static class AuditSeed
{
    private static readonly string[] ActorTypes = ["user", "api_key", "system"];
    private static readonly string[] TargetTypes = ["tenant", "user", "agent", "skill", "api_key", "team"];
    private static readonly string[] Severities = ["info", "warning", "critical"];

    /// <summary><paramref name="count"/> rows spread over the UTC <paramref name="day"/> (every tenth shares its neighbour's created_at).</summary>
    public static Task<List<SeededRow>> DayAsync(WorkerFixture fixture, Guid? tenant, DateOnly day, int count)
    {
        var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var step = TimeSpan.FromTicks(TimeSpan.FromDays(1).Ticks / (count + 1));
        return RowsAsync(fixture, tenant, Enumerable.Range(0, count).Select(i =>
        {
            var at = start + step * (i % 10 == 9 ? i - 1 : i);
            return new DateTimeOffset(at.Ticks - at.Ticks % 10, TimeSpan.Zero); // PostgreSQL keeps microseconds
        }));
    }

    public static async Task<List<SeededRow>> RowsAsync(WorkerFixture fixture, Guid? tenant, IEnumerable<DateTimeOffset> createdAt)
    {
        var rows = new List<SeededRow>();
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(ArchiveHarness.Ct);
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY audit_logs (id, tenant_id, actor_type, actor_id, action, target_type, target_id, severity, details, ip_address, user_agent, created_at) " +
            "FROM STDIN (FORMAT BINARY)", ArchiveHarness.Ct))
        {
            var i = 0;
            foreach (var at in createdAt)
            {
                var row = new SeededRow(Guid.CreateVersion7(), tenant, at);
                rows.Add(row);
                await writer.StartRowAsync(ArchiveHarness.Ct);
                await writer.WriteAsync(row.Id, NpgsqlDbType.Uuid, ArchiveHarness.Ct);
                await WriteOrNullAsync(writer, tenant, NpgsqlDbType.Uuid);
                await writer.WriteAsync(ActorTypes[i % 3], "audit_actor_type", ArchiveHarness.Ct);
                await WriteOrNullAsync(writer, i % 3 == 2 ? null : Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await writer.WriteAsync($"test.archival_{i % 7}", NpgsqlDbType.Text, ArchiveHarness.Ct);
                if (i % 4 == 0)
                {
                    await writer.WriteNullAsync(ArchiveHarness.Ct);
                    await writer.WriteNullAsync(ArchiveHarness.Ct);
                }
                else
                {
                    await writer.WriteAsync(TargetTypes[i % 6], "audit_target_type", ArchiveHarness.Ct);
                    await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ArchiveHarness.Ct);
                }

                await writer.WriteAsync(Severities[i % 3], "audit_severity", ArchiveHarness.Ct);
                if (i % 5 == 4)
                {
                    await writer.WriteNullAsync(ArchiveHarness.Ct);
                }
                else
                {
                    await writer.WriteAsync($$"""{"n": {{i}}, "note": "zürich \"quoted\" <b>", "list": [1, 2.5, null]}""", NpgsqlDbType.Jsonb, ArchiveHarness.Ct);
                }

                await WriteOrNullAsync(writer, i % 2 == 0 ? IPAddress.Parse($"10.1.{i % 250}.{(i / 250) % 250}") : i % 3 == 0 ? IPAddress.IPv6Loopback : null, NpgsqlDbType.Inet);
                await WriteOrNullAsync(writer, i % 3 == 1 ? null : "Mozilla/5.0 (tests; ü)", NpgsqlDbType.Text);
                await writer.WriteAsync(at, NpgsqlDbType.TimestampTz, ArchiveHarness.Ct);
                i++;
            }

            await writer.CompleteAsync(ArchiveHarness.Ct);
        }

        return rows;
    }

    private static Task WriteOrNullAsync(NpgsqlBinaryImporter writer, Guid? value, NpgsqlDbType type) =>
        value is { } id ? writer.WriteAsync(id, type, ArchiveHarness.Ct) : writer.WriteNullAsync(ArchiveHarness.Ct);

    private static Task WriteOrNullAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type)
        where T : class =>
        value is null ? writer.WriteNullAsync(ArchiveHarness.Ct) : writer.WriteAsync(value, type, ArchiveHarness.Ct);

    /// <summary>How many rows of these tenants (null = platform) PostgreSQL still has, seen as the owner.</summary>
    public static async Task<long> CountAsync(WorkerFixture fixture, IEnumerable<Guid?> tenants, DateTimeOffset? before = null, DateTimeOffset? from = null)
    {
        var list = tenants.ToList();
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(ArchiveHarness.Ct);
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FROM audit_logs
            WHERE (tenant_id = ANY(@tenants) OR (@platform AND tenant_id IS NULL))
              AND created_at < coalesce(@before, 'infinity') AND created_at >= coalesce(@from, '-infinity')
              AND action LIKE 'test.archival%'
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("tenants", list.OfType<Guid>().ToArray()));
        command.Parameters.Add(new NpgsqlParameter<bool>("platform", list.Contains(null)));
        command.Parameters.Add(new NpgsqlParameter("before", NpgsqlDbType.TimestampTz) { Value = (object?)before ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = (object?)from ?? DBNull.Value });
        return (long)(await command.ExecuteScalarAsync(ArchiveHarness.Ct))!;
    }
}
