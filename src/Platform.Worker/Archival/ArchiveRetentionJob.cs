using Amazon.S3;
using Microsoft.Extensions.Options;
using Platform.Worker.Jobs;

namespace Platform.Worker.Archival;

/// <summary>
/// One year of cold storage: sets the bucket's lifecycle rule where the store has one (<see cref="ArchiveLifecycle"/>),
/// then, tenant by tenant, deletes the archive objects and manifests that have expired (<see cref="ArchiveExpiry"/>),
/// oldest first, after recording the oldest kept manifest as the chain's <see cref="ArchiveAnchor"/>. It runs where the
/// store has no lifecycle (s3rver) and where it has one alike: the rule counts from the upload, which is never before
/// a part was due for archival, so it never takes a part this job would keep; when it takes an expired part before
/// this job's next run, the verifier accepts the gap (the part had expired) and this job moves the anchor past it.
/// <para>
/// The anchor moves only to a manifest whose predecessor has itself expired (and, while that predecessor is still in
/// the bucket, is the manifest its link names by SHA-256): a chain whose kept part was cut or rewritten is refused,
/// nothing of that tenant is deleted, and the run fails so someone looks, rather than anchoring over the damage.
/// </para>
/// </summary>
public sealed class ArchiveRetentionJob
{
    public const string JobAction = "job.audit_archive_retention";

    private readonly S3ArchiveOptions _options;
    private readonly JobAudit _audit;
    private readonly ILogger<ArchiveRetentionJob> _logger;
    private readonly TimeProvider _clock;
    private readonly ArchiveStore _store;
    private readonly ArchiveLifecycle _lifecycle;

    public ArchiveRetentionJob(
        [FromKeyedServices(ArchiveSetup.S3ClientKey)] IAmazonS3 s3,
        IOptions<S3ArchiveOptions> options,
        JobAudit audit,
        ILogger<ArchiveRetentionJob> logger,
        TimeProvider clock)
    {
        _options = options.Value;
        _audit = audit;
        _logger = logger;
        _clock = clock;
        _store = new ArchiveStore(s3, _options);
        _lifecycle = new ArchiveLifecycle(s3, _options, logger);
    }

    public Task RunAsync(CancellationToken cancellationToken) => _audit.RunExclusiveAsync(JobAction, ExpireAsync, cancellationToken);

    /// <summary>One run without the job's audit row: what <see cref="RunAsync"/> wraps.</summary>
    internal async Task ExpireAsync(JobCounts counts, CancellationToken cancellationToken)
    {
        counts.Add("objects_deleted", 0);
        counts.Add("manifests_deleted", 0);
        var lifecycle = await _lifecycle.ApplyAsync(cancellationToken);
        counts.Add("lifecycle_rule", lifecycle == LifecycleOutcome.Applied ? 1 : 0);
        if (lifecycle == LifecycleOutcome.NoBucket)
        {
            return;
        }

        var firstKept = ArchiveExpiry.FirstKeptDay(_clock.GetUtcNow(), _options);
        _logger.LogInformation("Expiring audit archive parts of days before {FirstKept} in s3://{Bucket} (lifecycle rule: {Lifecycle})",
            firstKept, _store.Bucket, lifecycle);
        var refused = 0;
        ArchiveKeys.Listing? tenant = null;
        await foreach (var (key, kind) in _store.ListAllAsync(cancellationToken))
        {
            if (tenant?.Tenant != key.Tenant)
            {
                refused += await FinishTenantAsync(tenant, firstKept, counts, cancellationToken);
                tenant = new ArchiveKeys.Listing(key.Tenant);
            }

            tenant.Add(key, kind);
        }

        refused += await FinishTenantAsync(tenant, firstKept, counts, cancellationToken);
        if (refused > 0)
        {
            throw new InvalidOperationException(
                $"Audit archive retention refused {refused} tenants whose oldest kept manifest does not follow on from expired parts; nothing of them was deleted. See the log for each.");
        }
    }

    /// <summary>1 when the tenant was refused, else 0.</summary>
    private async Task<int> FinishTenantAsync(ArchiveKeys.Listing? listing, DateOnly firstKept, JobCounts counts, CancellationToken cancellationToken)
    {
        if (listing is null || !ArchiveKeys.TryParseTenant(listing.Tenant, out var canonical, out _) || canonical != listing.Tenant)
        {
            return 0; // not a prefix the archiver writes
        }

        counts.Add("tenants", 1);
        if (await ExpireTenantAsync(listing.Tenant, listing.Manifests, listing.Objects, firstKept, counts, cancellationToken))
        {
            return 0;
        }

        counts.Add("tenants_refused", 1);
        return 1;
    }

    private async Task<bool> ExpireTenantAsync(
        string tenant, SortedSet<ArchiveKey> manifests, HashSet<ArchiveKey> objects, DateOnly firstKept, JobCounts counts, CancellationToken cancellationToken)
    {
        var expired = manifests.Concat(objects).Where(k => ArchiveExpiry.HasExpired(k, firstKept)).Distinct().Order().ToList();
        if (expired.Count == 0)
        {
            return true;
        }

        var anchor = manifests.Where(k => !ArchiveExpiry.HasExpired(k, firstKept)).Cast<ArchiveKey?>().FirstOrDefault();
        if (anchor is { } kept)
        {
            if (!await MoveAnchorAsync(tenant, kept, manifests, firstKept, counts, cancellationToken))
            {
                return false;
            }
        }
        else if (!objects.Any(k => !ArchiveExpiry.HasExpired(k, firstKept)))
        {
            // Nothing of the tenant is kept: the next part starts a new chain, which needs no anchor.
            await _store.DeleteAsync(ArchiveAnchor.KeyOf(tenant), cancellationToken);
        }

        foreach (var key in expired)
        {
            if (objects.Contains(key))
            {
                await _store.DeleteAsync(key.ObjectKey, cancellationToken);
                counts.Add("objects_deleted", 1);
            }

            if (manifests.Contains(key))
            {
                await _store.DeleteAsync(key.ManifestKey, cancellationToken);
                counts.Add("manifests_deleted", 1);
            }
        }

        _logger.LogInformation("Expired {Parts} archive parts of {Tenant} (days {First} to {Last}); the chain now starts at {Anchor}",
            expired.Count, tenant, expired[0].Day, expired[^1].Day, anchor?.ManifestKey ?? "nothing (all expired)");
        return true;
    }

    /// <summary>Records <paramref name="kept"/>, the oldest kept manifest, as the anchor once its link to the expired part checks out.</summary>
    private async Task<bool> MoveAnchorAsync(
        string tenant, ArchiveKey kept, SortedSet<ArchiveKey> manifests, DateOnly firstKept, JobCounts counts, CancellationToken cancellationToken)
    {
        var bytes = await _store.GetBytesAsync(kept.ManifestKey, ArchiveStore.MaxManifestBytes, cancellationToken);
        var manifest = bytes is null ? null : ArchiveManifest.TryParse(bytes);
        if (bytes is null || manifest is null)
        {
            _logger.LogError("The oldest kept manifest of {Tenant}, s3://{Bucket}/{Key}, cannot be read: nothing of the tenant is expired", tenant, _store.Bucket, kept.ManifestKey);
            return false;
        }

        if (manifest.PreviousManifestKey is { } previous)
        {
            if (!ArchiveKeys.TryParse(previous, out var previousKey, out _) || previousKey.Tenant != tenant || !ArchiveExpiry.HasExpired(previousKey, firstKept))
            {
                _logger.LogError(
                    "The oldest kept manifest of {Tenant}, s3://{Bucket}/{Key}, follows {Previous}, which is missing and has not expired: the chain was cut. Nothing of the tenant is expired",
                    tenant, _store.Bucket, kept.ManifestKey, previous);
                return false;
            }

            if (manifests.Contains(previousKey)
                && await _store.GetBytesAsync(previous, ArchiveStore.MaxManifestBytes, cancellationToken) is { } previousBytes
                && ArchiveManifest.Sha256Hex(previousBytes) != manifest.PreviousManifestSha256)
            {
                _logger.LogError(
                    "{Previous} is not the manifest s3://{Bucket}/{Key} links to (sha256 {Actual}, the link records {Expected}): nothing of {Tenant} is expired",
                    previous, _store.Bucket, kept.ManifestKey, ArchiveManifest.Sha256Hex(previousBytes), manifest.PreviousManifestSha256, tenant);
                return false;
            }
        }

        var anchor = new ArchiveAnchor
        {
            Tenant = tenant,
            ManifestKey = kept.ManifestKey,
            ManifestSha256 = ArchiveManifest.Sha256Hex(bytes),
            FirstKeptDay = firstKept,
            MovedAt = _clock.GetUtcNow(),
        };
        var key = ArchiveAnchor.KeyOf(tenant);
        if (await _store.GetBytesAsync(key, ArchiveStore.MaxManifestBytes, cancellationToken) is { } current
            && ArchiveAnchor.TryParse(current, tenant) is { } recorded
            && recorded.ManifestKey == anchor.ManifestKey && recorded.ManifestSha256 == anchor.ManifestSha256)
        {
            return true;
        }

        var anchorBytes = anchor.ToBytes();
        using (var content = new MemoryStream(anchorBytes))
        {
            await _store.PutAsync(key, content, "application/json", null, cancellationToken);
        }

        var readBack = await _store.GetBytesAsync(key, ArchiveStore.MaxManifestBytes, cancellationToken);
        if (readBack is null || !readBack.AsSpan().SequenceEqual(anchorBytes))
        {
            throw new InvalidDataException($"s3://{_store.Bucket}/{key} does not read back as written: nothing is deleted.");
        }

        counts.Add("anchors_moved", 1);
        return true;
    }
}
