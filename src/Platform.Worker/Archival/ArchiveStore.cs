using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace Platform.Worker.Archival;

/// <summary>What reading an object back established: its bytes' hash and size and, when decompressed, its content's.</summary>
internal sealed record ObjectDigest(string Sha256, long Bytes, string? NdjsonSha256 = null, long? Lines = null);

/// <summary>The archive's S3 operations, shared by the archiver and the verifier.</summary>
internal sealed class ArchiveStore(IAmazonS3 s3, S3ArchiveOptions options)
{
    /// <summary>Manifests are small; anything bigger under a manifest key is not one.</summary>
    public const int MaxManifestBytes = 1024 * 1024;

    public string Bucket => options.Bucket;

    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        try
        {
            await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = Bucket }, cancellationToken);
            return;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Forbidden)
        {
            // Allowed to write objects but not to look at the bucket: it exists.
            return;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
        }

        try
        {
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket, UseClientRegion = true }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou")
        {
        }
    }

    /// <summary>Every archive key under the tenant's prefix (objects and manifests), in S3's listing order.</summary>
    public IAsyncEnumerable<(ArchiveKey Key, ArchiveKeyKind Kind)> ListAsync(string tenantLabel, CancellationToken cancellationToken) =>
        ListAsync(ArchiveKeys.TenantPrefix(tenantLabel), tenantLabel, cancellationToken);

    /// <summary>
    /// Every tenant's archive keys, in S3's listing order (by key), so each tenant's keys come together. One listing of
    /// the whole archive rather than one per tenant found by a delimiter listing, which s3rver answers with nothing.
    /// </summary>
    public IAsyncEnumerable<(ArchiveKey Key, ArchiveKeyKind Kind)> ListAllAsync(CancellationToken cancellationToken) =>
        ListAsync(ArchiveKeys.Root, null, cancellationToken);

    private async IAsyncEnumerable<(ArchiveKey Key, ArchiveKeyKind Kind)> ListAsync(
        string prefix, string? tenantLabel, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix };
        while (true)
        {
            var response = await s3.ListObjectsV2Async(request, cancellationToken);
            foreach (var item in response.S3Objects ?? [])
            {
                if (ArchiveKeys.TryParse(item.Key, out var key, out var kind) && (tenantLabel is null || key.Tenant == tenantLabel))
                {
                    yield return (key, kind);
                }
            }

            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    /// <summary>Deletes one object; deleting one that is already gone is not an error (S3 answers 204 either way).</summary>
    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key }, cancellationToken);

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>A small object's bytes; null when it does not exist.</summary>
    public async Task<byte[]?> GetBytesAsync(string key, int maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key }, cancellationToken);
            if (response.ContentLength > maxBytes)
            {
                throw new InvalidDataException($"s3://{Bucket}/{key} has {response.ContentLength} bytes, more than the {maxBytes} a manifest may have.");
            }

            await using var body = response.ResponseStream;
            using var buffer = new MemoryStream();
            await body.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads an object through, hashing it; with <paramref name="decompress"/> also gunzips it and hashes
    /// and counts the NDJSON lines; with <paramref name="copyTo"/> also keeps a copy of the raw bytes.
    /// Null when the object does not exist. A corrupt gzip body throws <see cref="InvalidDataException"/>.
    /// </summary>
    public async Task<ObjectDigest?> DigestAsync(string key, bool decompress, Stream? copyTo, CancellationToken cancellationToken)
    {
        using var response = await GetAsync(key, cancellationToken);
        if (response is null)
        {
            return null;
        }

        await using var body = response.ResponseStream;
        return await DigestAsync(body, decompress, copyTo, cancellationToken);
    }

    /// <summary>An object to read through (its <c>ResponseStream</c>); null when it does not exist.</summary>
    public async Task<GetObjectResponse?> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public static async Task<ObjectDigest> DigestAsync(Stream source, bool decompress, Stream? copyTo, CancellationToken cancellationToken)
    {
        await using var raw = new HashingStream(source, leaveOpen: true);
        Stream reader = copyTo is null ? raw : new TeeStream(raw, copyTo);
        var buffer = new byte[81920];
        if (!decompress)
        {
            while (await reader.ReadAsync(buffer, cancellationToken) > 0)
            {
            }

            return new ObjectDigest(raw.Sha256Hex(), raw.BytesProcessed);
        }

        using var content = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long lines = 0;
        await using (var gzip = new GZipStream(reader, CompressionMode.Decompress, leaveOpen: true))
        {
            int read;
            while ((read = await gzip.ReadAsync(buffer, cancellationToken)) > 0)
            {
                content.AppendData(buffer, 0, read);
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }
        }

        // Whatever follows the gzip data still belongs to the object's hash.
        while (await reader.ReadAsync(buffer, cancellationToken) > 0)
        {
        }

        return new ObjectDigest(raw.Sha256Hex(), raw.BytesProcessed, Convert.ToHexStringLower(content.GetHashAndReset()), lines);
    }

    /// <summary>Uploads a seekable stream from its start (a single PUT: up to 5 GB).</summary>
    public async Task PutAsync(string key, Stream content, string contentType, IDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        content.Position = 0;
        var request = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = key,
            InputStream = content,
            AutoCloseStream = false,
            AutoResetStreamPosition = true,
            ContentType = contentType,
            UseChunkEncoding = options.EffectiveUseChunkEncoding,
        };
        foreach (var (name, value) in metadata ?? new Dictionary<string, string>())
        {
            request.Metadata[name] = value;
        }

        await s3.PutObjectAsync(request, cancellationToken);
    }
}
