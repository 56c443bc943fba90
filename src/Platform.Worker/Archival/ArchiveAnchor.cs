using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Worker.Archival;

/// <summary>
/// Where a tenant's chain starts once its oldest parts have expired: the oldest kept manifest, by key and SHA-256,
/// stored as <c>audit/{tenant}/anchor.json</c> beside the chain (a key the chain's own pattern never matches). The
/// retention writes it, and reads it back, before it deletes anything older; the verifier starts there, so a missing
/// part after it is still a broken link while the expired parts before it are not missing.
/// <para>
/// In the bucket rather than in PostgreSQL because it describes the bucket: <c>verify-archive</c> checks an archive
/// with S3 access alone, and the archive of a deleted tenant (whose PostgreSQL rows cascade away) stays verifiable for
/// its year. It adds no protection against someone who may rewrite the bucket, who could rewrite the whole chain
/// anyway; the verifier does not take its word alone: the anchor's predecessor must itself have expired.
/// </para>
/// </summary>
public sealed record ArchiveAnchor
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    public required string Tenant { get; init; }

    /// <summary>The chain's oldest kept manifest.</summary>
    public required string ManifestKey { get; init; }

    /// <summary>SHA-256 (lower-case hex) of that manifest's bytes.</summary>
    public required string ManifestSha256 { get; init; }

    /// <summary>The retention's first kept day when it moved the anchor: every earlier part had expired.</summary>
    public required DateOnly FirstKeptDay { get; init; }

    public required DateTimeOffset MovedAt { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string KeyOf(string tenantLabel) => $"{ArchiveKeys.TenantPrefix(tenantLabel)}anchor.json";

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Null when the bytes are not an anchor of <paramref name="tenantLabel"/>'s chain.</summary>
    public static ArchiveAnchor? TryParse(ReadOnlySpan<byte> bytes, string tenantLabel)
    {
        try
        {
            var anchor = JsonSerializer.Deserialize<ArchiveAnchor>(bytes, Json);
            return anchor is not null && anchor.Tenant == tenantLabel
                && ArchiveKeys.TryParse(anchor.ManifestKey, out var key, out var kind) && kind == ArchiveKeyKind.Manifest && key.Tenant == tenantLabel
                ? anchor
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The anchor manifest's key (valid: <see cref="TryParse"/> checked it).</summary>
    [JsonIgnore]
    public ArchiveKey Key
    {
        get => ArchiveKeys.TryParse(ManifestKey, out var key, out _) ? key : throw new InvalidOperationException($"'{ManifestKey}' is not a manifest key.");
    }
}
