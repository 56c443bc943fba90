using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.Worker.Archival;

/// <summary>
/// The archive's object keys. A (tenant, UTC day) is archived as
/// <c>audit/{tenant}/{yyyy}/{MM}/{dd}.ndjson.gz</c> with <c>{dd}.manifest.json</c> beside it; rows that
/// reach a day after it was archived (they should not exist: audit rows are written with the current
/// time) become further parts <c>{dd}.p002.ndjson.gz</c>, <c>{dd}.p003...</c>. Keys are deterministic,
/// so a re-run finds what an interrupted run left, and they sort in chain order: by day, then part.
/// </summary>
public static partial class ArchiveKeys
{
    public const string Root = "audit/";

    /// <summary>The label of platform rows (tenant_id NULL).</summary>
    public const string PlatformTenant = "platform";

    public static string TenantLabel(Guid? tenantId) =>
        tenantId is { } id ? id.ToString("D", CultureInfo.InvariantCulture) : PlatformTenant;

    /// <summary>Accepts <c>platform</c> or a tenant id in any Guid format; returns the canonical label.</summary>
    public static bool TryParseTenant(string? value, out string label, out Guid? tenantId)
    {
        label = string.Empty;
        tenantId = null;
        if (string.Equals(value?.Trim(), PlatformTenant, StringComparison.OrdinalIgnoreCase))
        {
            label = PlatformTenant;
            return true;
        }

        if (Guid.TryParse(value, out var id) && id != Guid.Empty)
        {
            tenantId = id;
            label = TenantLabel(id);
            return true;
        }

        return false;
    }

    public static string TenantPrefix(string tenantLabel) => $"{Root}{tenantLabel}/";

    public static ArchiveKey For(string tenantLabel, DateOnly day, int part) => new(tenantLabel, day, part);

    public static bool TryParse(string key, out ArchiveKey archiveKey, out ArchiveKeyKind kind)
    {
        archiveKey = default;
        kind = default;
        var match = KeyPattern().Match(key);
        if (!match.Success
            || !DateOnly.TryParseExact($"{match.Groups["y"].Value}-{match.Groups["m"].Value}-{match.Groups["d"].Value}", "yyyy-MM-dd",
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return false;
        }

        var part = match.Groups["part"].Success ? int.Parse(match.Groups["part"].Value, CultureInfo.InvariantCulture) : 1;
        if (part < 2 && match.Groups["part"].Success)
        {
            return false;
        }

        archiveKey = new ArchiveKey(match.Groups["tenant"].Value, day, part);
        kind = match.Groups["kind"].Value == "manifest.json" ? ArchiveKeyKind.Manifest : ArchiveKeyKind.Data;
        return true;
    }

    /// <summary>One tenant's keys from a listing: its manifests in chain order and its data objects.</summary>
    internal sealed class Listing(string tenant)
    {
        public string Tenant { get; } = tenant;

        public SortedSet<ArchiveKey> Manifests { get; } = [];

        public HashSet<ArchiveKey> Objects { get; } = [];

        public void Add(ArchiveKey key, ArchiveKeyKind kind) => (kind == ArchiveKeyKind.Manifest ? (ISet<ArchiveKey>)Manifests : Objects).Add(key);
    }

    [GeneratedRegex(@"^audit/(?<tenant>[^/]+)/(?<y>\d{4})/(?<m>\d{2})/(?<d>\d{2})(?:\.p(?<part>\d{3}))?\.(?<kind>ndjson\.gz|manifest\.json)$",
        RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}

public enum ArchiveKeyKind
{
    /// <summary>The gzip NDJSON object holding the rows.</summary>
    Data,

    /// <summary>The manifest JSON beside it.</summary>
    Manifest,
}

/// <summary>One archived part of a tenant's day; orders by day, then part (the chain's order).</summary>
public readonly record struct ArchiveKey(string Tenant, DateOnly Day, int Part) : IComparable<ArchiveKey>
{
    private string Base => string.Create(CultureInfo.InvariantCulture,
        $"{ArchiveKeys.Root}{Tenant}/{Day:yyyy}/{Day:MM}/{Day:dd}{(Part > 1 ? $".p{Part:000}" : string.Empty)}");

    public string ObjectKey => Base + ".ndjson.gz";

    public string ManifestKey => Base + ".manifest.json";

    public int CompareTo(ArchiveKey other)
    {
        var byDay = Day.CompareTo(other.Day);
        return byDay != 0 ? byDay : Part.CompareTo(other.Part);
    }

    public static bool operator <(ArchiveKey left, ArchiveKey right) => left.CompareTo(right) < 0;

    public static bool operator >(ArchiveKey left, ArchiveKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(ArchiveKey left, ArchiveKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ArchiveKey left, ArchiveKey right) => left.CompareTo(right) >= 0;

    public override string ToString() => ManifestKey;
}
