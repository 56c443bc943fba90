using Amazon.S3;
using Microsoft.Extensions.Options;

namespace Platform.Worker.Archival;

/// <summary>
/// Re-checks a tenant's archive chain: each manifest's object exists and has the recorded size, SHA-256,
/// row count and content hash (it is read through and gunzipped), and each manifest's previous hash is
/// the SHA-256 of the manifest before it. Objects are streamed, never held in memory. The chain is checked from
/// its <see cref="ArchiveAnchor"/> when the retention has expired its oldest parts (<see cref="ArchiveChainStart"/>).
/// </summary>
public sealed class ArchiveVerifier(
    [FromKeyedServices(ArchiveSetup.S3ClientKey)] IAmazonS3 s3,
    IOptions<S3ArchiveOptions> options,
    ILogger<ArchiveVerifier> logger,
    TimeProvider clock)
{
    private readonly ArchiveStore _store = new(s3, options.Value);

    /// <param name="tenant"><c>platform</c> or a tenant id.</param>
    public async Task<ArchiveVerificationResult> VerifyAsync(string tenant, CancellationToken cancellationToken)
    {
        if (!ArchiveKeys.TryParseTenant(tenant, out var label, out _))
        {
            throw new ArgumentException($"'{tenant}' is neither 'platform' nor a tenant id.", nameof(tenant));
        }

        var manifests = new List<ArchiveKey>();
        var objects = new HashSet<ArchiveKey>();
        await foreach (var (key, kind) in _store.ListAsync(label, cancellationToken))
        {
            (kind == ArchiveKeyKind.Manifest ? (ICollection<ArchiveKey>)manifests : objects).Add(key);
        }

        manifests.Sort();
        var problems = new List<string>();
        var notes = new List<string>();
        foreach (var orphan in objects.Except(manifests).Order())
        {
            notes.Add($"{orphan.ObjectKey} has no manifest (a run stopped after uploading it; the next run reuses or replaces it).");
        }

        var firstKept = ArchiveExpiry.FirstKeptDay(clock.GetUtcNow(), options.Value);
        var anchor = await ReadAnchorAsync(label, problems, cancellationToken);
        var start = ArchiveChainStart.Find(manifests, anchor, firstKept, problems, notes);
        string? previousKey = null;
        string? previousSha = null;
        long rows = 0;
        foreach (var key in manifests.Skip(start))
        {
            byte[]? bytes;
            try
            {
                bytes = await _store.GetBytesAsync(key.ManifestKey, ArchiveStore.MaxManifestBytes, cancellationToken);
            }
            catch (InvalidDataException ex)
            {
                problems.Add($"{key.ManifestKey}: {ex.Message}");
                (previousKey, previousSha) = (key.ManifestKey, null);
                continue;
            }

            if (bytes is null)
            {
                problems.Add($"{key.ManifestKey} was listed but cannot be read.");
                (previousKey, previousSha) = (key.ManifestKey, null);
                continue;
            }

            var sha = ArchiveManifest.Sha256Hex(bytes);
            var manifest = ArchiveManifest.TryParse(bytes);
            if (manifest is null)
            {
                problems.Add($"{key.ManifestKey} is not a manifest (sha256 {sha}).");
                if (key == manifests[^1])
                {
                    notes.Add($"{key.ManifestKey} is the chain's head. If a run was stopped while writing it, the next archival run writes it again, " +
                        $"once it finds every row of {key.ObjectKey} still in PostgreSQL; otherwise the run refuses the tenant until it is repaired.");
                }

                (previousKey, previousSha) = (key.ManifestKey, sha);
                continue;
            }

            CheckIdentity(key, manifest, label, problems);
            if (previousKey is null)
            {
                ArchiveChainStart.CheckFirst(key, manifest, sha, anchor, firstKept, problems, notes);
            }
            else
            {
                CheckLink(key, manifest, previousKey, previousSha, problems);
            }

            await CheckObjectAsync(key, manifest, problems, cancellationToken);
            rows += manifest.RowCount;
            (previousKey, previousSha) = (key.ManifestKey, sha);
        }

        var result = new ArchiveVerificationResult(label, _store.Bucket, manifests.Count - start, rows, previousKey, previousSha, problems, notes)
        {
            AnchorManifestKey = anchor?.ManifestKey,
        };
        if (result.IsIntact)
        {
            logger.LogInformation("Archive chain of {Tenant} verified: {Manifests} manifests, {Rows} rows, head {Head} sha256 {HeadSha}",
                label, manifests.Count, rows, previousKey, previousSha);
        }
        else
        {
            logger.LogWarning("Archive chain of {Tenant} is broken: {Problems}", label, string.Join(" | ", problems));
        }

        return result;
    }

    private static void CheckIdentity(ArchiveKey key, ArchiveManifest manifest, string label, List<string> problems)
    {
        if (manifest.Tenant != label || manifest.Day != key.Day || manifest.Part != key.Part)
        {
            problems.Add($"{key.ManifestKey} describes {manifest.Tenant} {manifest.Day:yyyy-MM-dd} part {manifest.Part}, not its own key.");
        }

        if (manifest.ObjectKey != key.ObjectKey)
        {
            problems.Add($"{key.ManifestKey} names object {manifest.ObjectKey}, not {key.ObjectKey}.");
        }
    }

    private static void CheckLink(ArchiveKey key, ArchiveManifest manifest, string previousKey, string? previousSha, List<string> problems)
    {
        if (manifest.PreviousManifestKey != previousKey)
        {
            problems.Add($"{key.ManifestKey} names {manifest.PreviousManifestKey ?? "no manifest"} as its predecessor, but the previous manifest is {previousKey}.");
        }

        if (manifest.PreviousManifestSha256 != previousSha)
        {
            problems.Add($"{key.ManifestKey} records previousManifestSha256 {manifest.PreviousManifestSha256 ?? "null"}, but {previousKey} has sha256 {previousSha ?? "unreadable"}.");
        }
    }

    /// <summary>The tenant's anchor; null when there is none, or when it cannot be read (a problem: the chain's start is unknown).</summary>
    private async Task<ArchiveAnchor?> ReadAnchorAsync(string label, List<string> problems, CancellationToken cancellationToken)
    {
        var key = ArchiveAnchor.KeyOf(label);
        byte[]? bytes;
        try
        {
            bytes = await _store.GetBytesAsync(key, ArchiveStore.MaxManifestBytes, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            problems.Add($"{key}: {ex.Message}");
            return null;
        }

        if (bytes is null)
        {
            return null;
        }

        var anchor = ArchiveAnchor.TryParse(bytes, label);
        if (anchor is null)
        {
            problems.Add($"{key} is not an anchor of {label}'s chain (sha256 {ArchiveManifest.Sha256Hex(bytes)}).");
        }

        return anchor;
    }

    private async Task CheckObjectAsync(ArchiveKey key, ArchiveManifest manifest, List<string> problems, CancellationToken cancellationToken)
    {
        ObjectDigest? digest;
        try
        {
            digest = await _store.DigestAsync(key.ObjectKey, decompress: true, copyTo: null, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            problems.Add($"{key.ObjectKey} is not valid gzip ({ex.Message}); its manifest records sha256 {manifest.ObjectSha256}.");
            return;
        }

        if (digest is null)
        {
            problems.Add($"{key.ObjectKey} is missing; its manifest {key.ManifestKey} records {manifest.RowCount} rows.");
            return;
        }

        if (digest.Sha256 != manifest.ObjectSha256 || digest.Bytes != manifest.ObjectBytes)
        {
            problems.Add($"{key.ObjectKey} has sha256 {digest.Sha256} and {digest.Bytes} bytes; its manifest records sha256 {manifest.ObjectSha256} and {manifest.ObjectBytes} bytes.");
        }
        else if (digest.NdjsonSha256 != manifest.NdjsonSha256 || digest.Lines != manifest.RowCount)
        {
            problems.Add($"{key.ObjectKey} holds {digest.Lines} rows (content sha256 {digest.NdjsonSha256}); its manifest records {manifest.RowCount} rows (content sha256 {manifest.NdjsonSha256}).");
        }
    }
}

/// <summary>What <see cref="ArchiveVerifier"/> found; the chain is intact when there are no problems.</summary>
public sealed record ArchiveVerificationResult(
    string Tenant,
    string Bucket,
    int Manifests,
    long Rows,
    string? HeadManifestKey,
    string? HeadManifestSha256,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Notes)
{
    public bool IsIntact => Problems.Count == 0;

    /// <summary>The manifest the chain was verified from when the retention recorded an anchor.</summary>
    public string? AnchorManifestKey { get; init; }

    public void WriteTo(TextWriter output)
    {
        output.WriteLine($"Audit archive of {Tenant} in s3://{Bucket}: {Manifests} manifests, {Rows} rows.");
        if (AnchorManifestKey is not null)
        {
            output.WriteLine($"Anchor: {AnchorManifestKey} (older parts have expired)");
        }

        if (HeadManifestKey is not null)
        {
            output.WriteLine($"Head: {HeadManifestKey} sha256 {HeadManifestSha256 ?? "unreadable"}");
        }

        foreach (var note in Notes)
        {
            output.WriteLine($"note: {note}");
        }

        foreach (var problem in Problems)
        {
            output.WriteLine($"PROBLEM: {problem}");
        }

        output.WriteLine(IsIntact ? "Chain intact." : $"Chain BROKEN: {Problems.Count} problem(s).");
    }
}
