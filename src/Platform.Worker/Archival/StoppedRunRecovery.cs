using Platform.Worker.Jobs;

namespace Platform.Worker.Archival;

/// <summary>
/// Picks up what a stopped run left: an uploaded object without a manifest, or a part with a manifest whose
/// rows were not deleted yet. Keys are deterministic, so the next run finds both where the stopped one left them.
/// </summary>
internal sealed class StoppedRunRecovery(ArchiveStore store, ArchivedRowDeleter deleter, ILogger logger)
{
    /// <summary>
    /// The object already at <paramref name="key"/> when it holds exactly the rows just written; null when there
    /// is none or it holds other rows, and the caller uploads over it.
    /// </summary>
    public async Task<ObjectDigest?> ReuseLeftoverObjectAsync(ArchiveKey key, WrittenArchive written, JobCounts counts, CancellationToken cancellationToken)
    {
        ObjectDigest? existing;
        try
        {
            existing = await store.DigestAsync(key.ObjectKey, decompress: true, copyTo: null, cancellationToken);
        }
        catch (InvalidDataException)
        {
            existing = new ObjectDigest("unreadable", -1);
        }

        if (existing is null)
        {
            return null;
        }

        if (existing.NdjsonSha256 == written.NdjsonSha256 && existing.Lines == written.RowCount)
        {
            counts.Add("objects_reused", 1);
            logger.LogInformation("s3://{Bucket}/{Object}, left by a stopped run, holds exactly these {Rows} rows: reused",
                store.Bucket, key.ObjectKey, written.RowCount);
            return existing;
        }

        // No manifest names it, so its rows were never deleted: they are all in the new object.
        logger.LogWarning("s3://{Bucket}/{Object}, left by a stopped run, does not hold the day's current rows: replaced",
            store.Bucket, key.ObjectKey);
        return null;
    }

    /// <summary>
    /// The rows of a day whose latest part already has a manifest: deletes that part's rows (by the ids in
    /// its object, once the object matches the manifest) if a stopped run left them. False when the object
    /// does not match its manifest: then nothing is deleted.
    /// </summary>
    public async Task<bool> FinishPartAsync(ArchiveGroup group, ChainHead head, JobCounts counts, CancellationToken cancellationToken)
    {
        var manifest = head.Manifest!;
        if (manifest.ObjectKey != head.Key.ObjectKey)
        {
            logger.LogError("Manifest s3://{Bucket}/{Key} names object {Object}, not {Expected}: nothing is deleted",
                store.Bucket, head.Key.ManifestKey, manifest.ObjectKey, head.Key.ObjectKey);
            return false;
        }

        await using var file = ArchiveFileWriter.CreateTempFile();
        ObjectDigest? digest;
        try
        {
            digest = await store.DigestAsync(manifest.ObjectKey, decompress: false, copyTo: file, cancellationToken);
        }
        catch (InvalidDataException)
        {
            digest = null;
        }

        if (digest is null || digest.Sha256 != manifest.ObjectSha256 || digest.Bytes != manifest.ObjectBytes)
        {
            logger.LogError(
                "s3://{Bucket}/{Object} does not match its manifest (sha256 {Actual} / {Bytes} bytes, manifest {Expected} / {ExpectedBytes}): the rows of {Tenant} {Day} are not deleted",
                store.Bucket, manifest.ObjectKey, digest?.Sha256 ?? "missing", digest?.Bytes, manifest.ObjectSha256, manifest.ObjectBytes, head.Key.Tenant, group.Day);
            return false;
        }

        var deleted = await deleter.DeleteAsync(group, file, manifest.RowCount, cancellationToken);
        counts.Add("rows_deleted", deleted);
        counts.Add(AuditArchiver.RowsMoved, deleted);
        if (deleted > 0)
        {
            counts.Add(AuditArchiver.ObjectsMoved, 1);
            counts.Add("groups_resumed", 1);
            logger.LogInformation("Resumed {Key}: deleted the {Rows} archived rows a stopped run had left", head.Key.ManifestKey, deleted);
        }

        return true;
    }
}
