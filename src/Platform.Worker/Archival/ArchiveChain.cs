namespace Platform.Worker.Archival;

/// <summary>
/// The tenants' manifest chains during one run: each tenant's head (its latest manifest, listed once and then
/// kept current) and the next manifest, which names the head by key and SHA-256.
/// </summary>
internal sealed class ArchiveChain(ArchiveStore store, TimeProvider clock)
{
    private readonly Dictionary<string, ChainHead?> _heads = [];

    // Each tenant's manifest keys in chain order, as listed and then appended.
    private readonly Dictionary<string, List<ArchiveKey>> _manifests = [];

    // Archive objects the tenants' listings showed: only these can be leftovers of a stopped run.
    private readonly HashSet<ArchiveKey> _listedObjects = [];

    /// <summary>The tenant's latest manifest; null when the tenant has none yet.</summary>
    public async Task<ChainHead?> GetHeadAsync(string tenant, CancellationToken cancellationToken)
    {
        if (_heads.TryGetValue(tenant, out var cached))
        {
            return cached;
        }

        var manifests = new List<ArchiveKey>();
        await foreach (var (key, kind) in store.ListAsync(tenant, cancellationToken))
        {
            if (kind == ArchiveKeyKind.Data)
            {
                _listedObjects.Add(key);
            }
            else
            {
                manifests.Add(key);
            }
        }

        manifests.Sort();
        _manifests[tenant] = manifests;
        return _heads[tenant] = manifests.Count == 0 ? null : await ReadAsync(manifests[^1], cancellationToken);
    }

    /// <summary>
    /// Drops the tenant's head, a manifest a stopped run tore while writing it (<see cref="TornManifestCheck"/>): the
    /// manifest before it becomes the head again (null when there is none), so the torn part is archived again under
    /// its own key, linked to that one, and its torn manifest is overwritten then.
    /// </summary>
    public async Task<ChainHead?> StepBackAsync(string tenant, CancellationToken cancellationToken)
    {
        var manifests = _manifests[tenant];
        manifests.RemoveAt(manifests.Count - 1);
        return _heads[tenant] = manifests.Count == 0 ? null : await ReadAsync(manifests[^1], cancellationToken);
    }

    private async Task<ChainHead> ReadAsync(ArchiveKey key, CancellationToken cancellationToken)
    {
        byte[]? bytes;
        try
        {
            bytes = await store.GetBytesAsync(key.ManifestKey, ArchiveStore.MaxManifestBytes, cancellationToken);
        }
        catch (InvalidDataException)
        {
            bytes = null; // too big to be a manifest
        }

        // The caller judges a head that is not a manifest: a torn write is stepped back over, anything else refused.
        return bytes is null
            ? new ChainHead(key, string.Empty, null)
            : new ChainHead(key, ArchiveManifest.Sha256Hex(bytes), ArchiveManifest.TryParse(bytes));
    }

    /// <summary>
    /// Whether the tenant's listing (<see cref="GetHeadAsync"/>, called first) showed an object at this key: one a
    /// stopped run uploaded, since this run has not uploaded it yet. Without one there is nothing to reuse or check.
    /// </summary>
    public bool WasListed(ArchiveKey key) => _listedObjects.Contains(key);

    /// <summary>
    /// Writes the manifest of the stored object at <paramref name="key"/>, linked to <paramref name="previous"/>,
    /// reads it back and makes it the tenant's head. Returns the manifest's SHA-256.
    /// </summary>
    public async Task<string> AppendAsync(
        ArchiveKey key, WrittenArchive written, ObjectDigest stored, ChainHead? previous, CancellationToken cancellationToken)
    {
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
        var bytes = manifest.ToBytes();
        var sha = ArchiveManifest.Sha256Hex(bytes);
        using (var content = new MemoryStream(bytes))
        {
            await store.PutAsync(key.ManifestKey, content, "application/json", null, cancellationToken);
        }

        var readBack = await store.GetBytesAsync(key.ManifestKey, ArchiveStore.MaxManifestBytes, cancellationToken);
        if (readBack is null || ArchiveManifest.Sha256Hex(readBack) != sha)
        {
            throw new InvalidDataException($"s3://{store.Bucket}/{key.ManifestKey} does not read back as written: nothing is deleted.");
        }

        _heads[key.Tenant] = new ChainHead(key, sha, manifest);
        _manifests[key.Tenant].Add(key);
        return sha;
    }
}

/// <summary>A tenant's latest manifest; <see cref="Manifest"/> is null when it cannot be read as one.</summary>
internal sealed record ChainHead(ArchiveKey Key, string Sha256, ArchiveManifest? Manifest);
