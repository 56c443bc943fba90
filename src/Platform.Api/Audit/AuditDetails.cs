using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Audit;

/// <summary>
/// The details of a mutation's audit row: the handler's own, plus the target's changed properties (for a modification)
/// or its entity and state (for an addition or a deletion), read from the context's pending changes. Secrets are masked.
/// </summary>
internal static class AuditDetails
{
    private static readonly string[] SensitiveWords = ["password", "hash", "secret", "token", "key", "recovery", "config"];

    /// <summary>The pending changes of <paramref name="db"/>: the target's entry (else the first change) and the changed rows' tenant.</summary>
    public static (EntityEntry? Target, Guid? TenantId) Pending(PlatformDbContext db, AuditTargetType targetType)
    {
        db.ChangeTracker.DetectChanges();
        var changes = db.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && e.Entity is not AuditLog)
            .ToList();
        var target = changes.FirstOrDefault(e => AuditTargets.Of(e.Entity) == targetType) ?? changes.FirstOrDefault();
        var tenantId = changes
            .Select(e => e.Metadata.FindProperty("TenantId") is null ? null : e.Property("TenantId").CurrentValue as Guid?)
            .FirstOrDefault(t => t is not null);
        return (target, tenantId);
    }

    public static JsonDocument Of(IReadOnlyDictionary<string, object?> given, EntityEntry? entry)
    {
        var details = new Dictionary<string, object?>(given.Select(d => KeyValuePair.Create(d.Key, Mask(d.Key, d.Value))));
        if (entry?.State == EntityState.Modified)
        {
            details["changed"] = entry.Properties
                .Where(p => p.IsModified)
                .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Metadata.Name), p => Mask(p.Metadata.Name, Printable(p.CurrentValue)));
        }
        else if (entry is not null)
        {
            details["entity"] = entry.Metadata.ClrType.Name;
            details["state"] = entry.State.ToString().ToLowerInvariant();
        }

        return JsonSerializer.SerializeToDocument(details);
    }

    private static object? Printable(object? value) => value switch
    {
        null or string or bool or int or long or decimal or double or Guid or DateTimeOffset => value,
        Enum e => JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString()),
        _ => value.ToString(),
    };

    private static object? Mask(string name, object? value) =>
        SensitiveWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase)) ? "***" : value;
}
