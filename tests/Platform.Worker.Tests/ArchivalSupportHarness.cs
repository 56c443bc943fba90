using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Tests.Support;
using Platform.Worker.Archival;

namespace Platform.Worker.Tests;

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

    public ArchiveVerifier Verifier() => new(Client, Microsoft.Extensions.Options.Options.Create(Options), NullLogger<ArchiveVerifier>.Instance, new FixedClock(Now));

    /// <summary>The archive retention job on this bucket, at this harness's clock.</summary>
    public ArchiveRetentionJob Retention() =>
        new(Client, Microsoft.Extensions.Options.Options.Create(Options), _fixture.JobAudit(), NullLogger<ArchiveRetentionJob>.Instance, new FixedClock(Now));

    /// <summary>One retention run as Hangfire runs it (through JobAudit); returns its counts.</summary>
    public Task<IReadOnlyDictionary<string, long>> ExpireAsync() =>
        _fixture.JobAudit().RunAsync(ArchiveRetentionJob.JobAction, Retention().ExpireAsync, Ct);

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

    public static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    public void Dispose() => Client.Dispose();
}
