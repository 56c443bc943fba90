using System.Globalization;
using Platform.Worker.Jobs;

namespace Platform.Worker.Archival;

/// <summary>Uploads an archive file and reads it back: only an object that returns exactly the bytes written counts as stored.</summary>
internal sealed class ArchiveUploader(ArchiveStore store)
{
    public async Task<ObjectDigest> UploadAsync(ArchiveKey key, FileStream file, WrittenArchive written, JobCounts counts, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string>
        {
            ["row-count"] = written.RowCount.ToString(CultureInfo.InvariantCulture),
            ["sha256"] = written.ObjectSha256,
            ["ndjson-sha256"] = written.NdjsonSha256,
        };
        await store.PutAsync(key.ObjectKey, file, "application/gzip", metadata, cancellationToken);
        var readBack = await store.DigestAsync(key.ObjectKey, decompress: false, copyTo: null, cancellationToken);
        if (readBack is null || readBack.Sha256 != written.ObjectSha256 || readBack.Bytes != written.ObjectBytes)
        {
            throw new InvalidDataException(
                $"s3://{store.Bucket}/{key.ObjectKey} reads back as {readBack?.Bytes.ToString(CultureInfo.InvariantCulture) ?? "nothing"} bytes " +
                $"(sha256 {readBack?.Sha256 ?? "-"}), not the {written.ObjectBytes} bytes uploaded (sha256 {written.ObjectSha256}): nothing is deleted. " +
                "An S3-compatible server that stores aws-chunked bodies verbatim needs Archive:UseChunkEncoding=false.");
        }

        counts.Add("objects_uploaded", 1);
        counts.Add("bytes_uploaded", written.ObjectBytes);
        return readBack;
    }
}
