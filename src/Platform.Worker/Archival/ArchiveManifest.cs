using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Worker.Archival;

/// <summary>
/// The manifest stored beside each archive object. <see cref="PreviousManifestSha256"/> is the SHA-256
/// of the raw bytes of the tenant's previous manifest (null for the first), so the manifests form a
/// hash chain: changing or removing any object or manifest breaks a link the verifier checks.
/// </summary>
public sealed record ArchiveManifest
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    public required string Tenant { get; init; }

    public required DateOnly Day { get; init; }

    /// <summary>1 for the day's object; 2.. for rows that reached the day after it was archived.</summary>
    public int Part { get; init; } = 1;

    public required long RowCount { get; init; }

    public required DateTimeOffset FirstCreatedAt { get; init; }

    public required DateTimeOffset LastCreatedAt { get; init; }

    public required Guid FirstId { get; init; }

    public required Guid LastId { get; init; }

    public required string ObjectKey { get; init; }

    /// <summary>SHA-256 (lower-case hex) of the stored object: the gzip bytes.</summary>
    public required string ObjectSha256 { get; init; }

    public required long ObjectBytes { get; init; }

    /// <summary>SHA-256 of the uncompressed NDJSON: identifies the rows whatever the compressor produced.</summary>
    public required string NdjsonSha256 { get; init; }

    public string? PreviousManifestKey { get; init; }

    public string? PreviousManifestSha256 { get; init; }

    public required DateTimeOffset ArchivedAt { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Null when the bytes are not a manifest.</summary>
    public static ArchiveManifest? TryParse(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<ArchiveManifest>(bytes, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
