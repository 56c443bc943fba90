namespace Platform.Worker.Archival;

/// <summary>
/// The tenants' manifest chains during one run: each tenant's head (its latest manifest, listed once and then
/// kept current) and the next manifest, which names the head by key and SHA-256.
/// </summary>
internal sealed class ArchiveChain(ArchiveStore store, TimeProvider clock)
{
    private readonly Dictionary<string, ChainHead?> _heads = [];

    // Archive objects the tenants' listings showed: only these can be leftovers of a stopped run.
    private readonly HashSet<ArchiveKey> _listedObjects = [];

    /// <summary>The tenant's latest manifest; null when the tenant has none yet.</summary>
    public async Task<ChainHead?> GetHeadAsync(string tenant, CancellationToken cancellationToken)
    {
        if (_heads.TryGetValue(tenant, out var cached))
        {
            return cached;
        }

        ArchiveKey? latest = null;
        await foreach (var (key, kind) in store.ListAsync(tenant, cancellationToken))
        {
            if (kind == ArchiveKeyKind.Data)
            {
                _listedObjects.Add(key);
            }
            else if (latest is null || key > latest.Value)
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
                bytes = await store.GetBytesAsync(headKey.ManifestKey, ArchiveStore.MaxManifestBytes, cancellationToken);
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

        _heads[tenant] = head;
        return head;
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
        return sha;
    }
}

/// <summary>A tenant's latest manifest; <see cref="Manifest"/> is null when it cannot be read as one.</summary>
internal sealed record ChainHead(ArchiveKey Key, string Sha256, ArchiveManifest? Manifest);
