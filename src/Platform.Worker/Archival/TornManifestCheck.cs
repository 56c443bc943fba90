using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data;
using Platform.Data.Tenancy;
using Platform.Worker.Jobs;

namespace Platform.Worker.Archival;

/// <summary>
/// Judges a tenant's latest manifest that cannot be read as one: a torn write of a part no run finished (a worker
/// killed while uploading it, to an S3-compatible server that writes objects in place), which the next run may
/// simply write again; or damage to a finished part, which is refused until someone repairs it.
/// <para>
/// The evidence is the part's rows. A run uploads the part's object and reads it back, then writes the manifest and
/// reads it back, and only then deletes the part's rows, all in one transaction. So while the part's rows are still
/// in PostgreSQL, the part was never finished and nothing of it exists only in S3. The rows are named by the ids in
/// the part's object, which was verified before its manifest was begun. Not by the part's time range: rows that
/// reach a day after it was archived stay in PostgreSQL for a further part, and would make a finished part's range
/// look unfinished. The part counts as unfinished when its object yields at least one id and every id it yields is
/// still in PostgreSQL under the part's tenant and day. A finished part's rows are all gone and ids are never reused,
/// so it is refused whatever rows came later; when only some are gone, something else deleted rows and nobody can
/// tell what the part was: refused too.
/// </para>
/// <para>
/// Writing the part again then loses nothing: every row the old object holds is still in PostgreSQL, so the new
/// part holds it again (with any row that came since), and the old object is reused or overwritten as after a run
/// that stopped before its manifest. That holds as well for a manifest written whole and damaged later, before its
/// rows were deleted. The object is read to its end or to where it stops being readable: a run killed while it
/// overwrote the object of such a part (late rows had made it differ) leaves a truncated object under the torn
/// manifest, and the ids of its whole lines are still the part's own rows. A whole line that does not begin with
/// an id was not written by the archiver: that is no evidence, and the part is refused.
/// </para>
/// </summary>
internal sealed class TornManifestCheck(ArchiveStore store, DbContextOptions<PlatformDbContext> dbOptions, S3ArchiveOptions options, ILogger logger)
{
    /// <summary>
    /// Where the chain goes on when the tenant's head, <paramref name="unreadable"/>, cannot be read as a manifest: from
    /// the manifest before it (null when there is none) if the head's part was never finished, and the part is archived
    /// again under its own key, over the torn manifest. Not resumable (logged, with the evidence) otherwise, and when
    /// the manifest before cannot be read either: that one was written whole before the torn one was begun.
    /// </summary>
    public async Task<(bool Resumable, ChainHead? Head)> StepOverAsync(
        ChainHead unreadable, ArchiveChain chain, JobCounts counts, CancellationToken cancellationToken)
    {
        var key = unreadable.Key;
        var (unfinished, evidence) = await JudgeAsync(key, cancellationToken);
        if (!unfinished)
        {
            logger.LogError(
                "The latest manifest of {Tenant}, s3://{Bucket}/{Key} (sha256 {Sha}), cannot be read as a manifest and no stopped run explains it ({Evidence}): " +
                "the tenant is not archived until it is repaired", key.Tenant, store.Bucket, key.ManifestKey, unreadable.Sha256, evidence);
            return (false, null);
        }

        var previous = await chain.StepBackAsync(key.Tenant, cancellationToken);
        if (previous is { Manifest: null })
        {
            logger.LogError(
                "The latest manifest of {Tenant}, s3://{Bucket}/{Key}, was torn by a stopped run ({Evidence}), but the manifest before it, {Previous}, " +
                "cannot be read either: the tenant is not archived until it is repaired", key.Tenant, store.Bucket, key.ManifestKey, evidence, previous.Key.ManifestKey);
            return (false, null);
        }

        counts.Add("torn_manifests", 1);
        logger.LogWarning(
            "The latest manifest of {Tenant}, s3://{Bucket}/{Key} (sha256 {Sha}), cannot be read as a manifest, but {Evidence}: a run stopped while writing it, " +
            "before deleting any of them. The part is archived again, linked to {Previous}, over the torn manifest",
            key.Tenant, store.Bucket, key.ManifestKey, unreadable.Sha256, evidence, previous?.Key.ManifestKey ?? "no manifest (the chain's first)");
        return (true, previous);
    }

    /// <summary>Whether the part at <paramref name="key"/>, whose manifest cannot be read, was never finished; and on what evidence.</summary>
    private async Task<(bool Unfinished, string Evidence)> JudgeAsync(ArchiveKey key, CancellationToken cancellationToken)
    {
        if (!ArchiveKeys.TryParseTenant(key.Tenant, out _, out var tenantId))
        {
            return (false, $"'{key.Tenant}' names no tenant");
        }

        var part = new ArchiveGroup { TenantId = tenantId, Day = key.Day };
        var (ids, stillInPostgres, problem) = await ReadEvidenceAsync(key, part, cancellationToken);
        if (problem is null && ids > 0 && stillInPostgres == ids)
        {
            return (true, $"all {ids} rows of {key.ObjectKey} are still in PostgreSQL");
        }

        return (false, problem
            ?? (ids == 0 ? $"{key.ObjectKey} names no row" : $"at least {ids - stillInPostgres} of the rows {key.ObjectKey} names are no longer in PostgreSQL"));
    }

    private async Task<(long Ids, long StillInPostgres, string? Problem)> ReadEvidenceAsync(ArchiveKey key, ArchiveGroup part, CancellationToken cancellationToken)
    {
        using var response = await store.GetAsync(key.ObjectKey, cancellationToken);
        if (response is null)
        {
            return (0, 0, $"{key.ObjectKey} is missing");
        }

        await using var body = response.ResponseStream;
        await using var gzip = new GZipStream(body, CompressionMode.Decompress);
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        var sql = $"""SELECT count(*) AS "Value" FROM audit_logs WHERE id = ANY(@ids) AND {part.RowCondition()}""";
        var lines = new IdLines();
        var buffer = new byte[81920];
        long ids = 0;
        long stillInPostgres = 0;
        while (stillInPostgres == ids)
        {
            int read;
            try
            {
                read = await gzip.ReadAsync(buffer, cancellationToken);
            }
            catch (InvalidDataException)
            {
                read = 0; // damaged from here on: the whole lines before still name rows of the part
            }

            if (read > 0 && !lines.Add(buffer.AsSpan(0, read)))
            {
                return (ids, stillInPostgres, $"{key.ObjectKey} has a line that does not begin with a row id");
            }

            if (lines.Ids.Count >= options.DeleteBatchSize || (read == 0 && lines.Ids.Count > 0))
            {
                ids += lines.Ids.Count;
                stillInPostgres += await db.Database
                    .SqlQueryRaw<long>(sql, [.. part.RowParameters(), new NpgsqlParameter<Guid[]>("ids", [.. lines.Ids])])
                    .SingleAsync(cancellationToken);
                lines.Ids.Clear();
            }

            if (read == 0)
            {
                break;
            }
        }

        return (ids, stillInPostgres, null);
    }

    /// <summary>The ids of the whole lines of NDJSON that arrives in chunks; an unfinished last line is left out.</summary>
    private sealed class IdLines
    {
        private readonly byte[] _lineStart = new byte[ArchiveLine.IdPrefixLength];
        private int _lineStartLength;

        public List<Guid> Ids { get; } = [];

        /// <summary>False at a whole line that does not begin with a row id.</summary>
        public bool Add(ReadOnlySpan<byte> chunk)
        {
            while (!chunk.IsEmpty)
            {
                var end = chunk.IndexOf((byte)'\n');
                var piece = end < 0 ? chunk : chunk[..end];
                var take = Math.Min(piece.Length, _lineStart.Length - _lineStartLength);
                piece[..take].CopyTo(_lineStart.AsSpan(_lineStartLength));
                _lineStartLength += take;
                if (end < 0)
                {
                    return true;
                }

                if (!ArchiveLine.TryReadId(_lineStart.AsSpan(0, _lineStartLength), out var id))
                {
                    return false;
                }

                Ids.Add(id);
                _lineStartLength = 0;
                chunk = chunk[(end + 1)..];
            }

            return true;
        }
    }
}
