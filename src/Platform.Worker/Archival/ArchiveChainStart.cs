namespace Platform.Worker.Archival;

/// <summary>
/// Where the verifier starts a tenant's chain and how it judges the first manifest it checks. The chain starts at its
/// <see cref="ArchiveAnchor"/> when the retention recorded one (older manifests still listed have expired and wait
/// for the next retention run), else at the oldest manifest. A first manifest that names a predecessor no longer in
/// the bucket is fine only when that predecessor has expired (<see cref="ArchiveExpiry"/>): then it was the
/// retention's or the bucket's lifecycle rule's to delete. Otherwise parts were deleted before their time.
/// </summary>
internal static class ArchiveChainStart
{
    /// <summary>The index in <paramref name="manifests"/> (sorted) of the first manifest to verify.</summary>
    public static int Find(List<ArchiveKey> manifests, ArchiveAnchor? anchor, DateOnly firstKept, List<string> problems, List<string> notes)
    {
        if (anchor is null)
        {
            return 0;
        }

        var at = manifests.IndexOf(anchor.Key);
        if (at >= 0)
        {
            if (at > 0)
            {
                notes.Add($"{at} manifests before the anchor {anchor.ManifestKey} have expired and wait for the next retention run; they are not verified.");
            }

            return at;
        }

        if (ArchiveExpiry.HasExpired(anchor.Key, firstKept))
        {
            notes.Add($"The anchor {anchor.ManifestKey} has expired and is gone; the chain starts at the oldest manifest after it.");
        }
        else
        {
            problems.Add($"The chain's anchor {anchor.ManifestKey} (sha256 {anchor.ManifestSha256}, recorded {anchor.MovedAt:O}) is missing.");
        }

        var next = manifests.FindIndex(k => k > anchor.Key);
        return next < 0 ? manifests.Count : next;
    }

    /// <summary>Checks the first verified manifest's place: the anchor as recorded, the chain's very first, or after expired parts only.</summary>
    public static void CheckFirst(
        ArchiveKey key, ArchiveManifest manifest, string sha, ArchiveAnchor? anchor, DateOnly firstKept, List<string> problems, List<string> notes)
    {
        var previous = manifest.PreviousManifestKey;
        var previousExpired = previous is not null && ArchiveKeys.TryParse(previous, out var previousKey, out var kind)
            && kind == ArchiveKeyKind.Manifest && previousKey.Tenant == key.Tenant && previousKey < key && ArchiveExpiry.HasExpired(previousKey, firstKept);
        if (anchor is not null && key == anchor.Key)
        {
            if (sha != anchor.ManifestSha256)
            {
                problems.Add($"{key.ManifestKey} is the chain's anchor but has sha256 {sha}; the anchor records {anchor.ManifestSha256}.");
            }

            if (previous is not null && !previousExpired)
            {
                problems.Add($"{key.ManifestKey} is recorded as the chain's anchor, but its predecessor {previous} has not expired (days from {firstKept:yyyy-MM-dd} are kept): parts before it were deleted before their time.");
            }

            return;
        }

        if (previous is null && manifest.PreviousManifestSha256 is null)
        {
            return; // the chain's very first manifest
        }

        if (previousExpired)
        {
            notes.Add($"The chain starts at {key.ManifestKey}; its predecessor {previous} has expired and is gone.");
        }
        else
        {
            problems.Add($"{key.ManifestKey} names {previous ?? "no key"} (sha256 {manifest.PreviousManifestSha256}) as its predecessor, which is missing and has not expired (days from {firstKept:yyyy-MM-dd} are kept): deleted before its time.");
        }
    }
}
