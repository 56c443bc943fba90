using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Hosting;

namespace Platform.Api.Audit;

/// <summary>
/// The one audit mechanism: when a request to an <see cref="AuditedAttribute"/> endpoint saves changes,
/// one audit row joins that same SaveChanges (and so its transaction). A request that saves nothing,
/// or whose save fails, leaves no row; a second save in the same request adds no second row.
/// </summary>
public sealed class AuditInterceptor(IHttpContextAccessor accessor) : SaveChangesInterceptor, IPlatformDbInterceptor
{
    private static readonly string[] SensitiveWords = ["password", "hash", "secret", "token", "key", "recovery", "config"];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        AddAuditRow(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        AddAuditRow(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void AddAuditRow(DbContext? context)
    {
        var http = accessor.HttpContext;
        if (http is null || context is not PlatformDbContext db)
        {
            return;
        }

        var scope = http.RequestServices.GetRequiredService<AuditScope>();
        var endpoint = scope.Endpoint ?? http.GetEndpoint()?.Metadata.GetMetadata<AuditedAttribute>();
        if (endpoint is null || scope.Written || !ReferenceEquals(http.RequestServices.GetService<PlatformDbContext>(), db))
        {
            return;
        }

        db.ChangeTracker.DetectChanges();
        var changes = db.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && e.Entity is not AuditLog)
            .ToList();
        if (changes.Count == 0)
        {
            return;
        }

        var targetEntry = changes.FirstOrDefault(e => AuditTargets.Of(e.Entity) == endpoint.TargetType);
        var targetId = scope.TargetId ?? RouteId(http) ?? (targetEntry?.Property("Id").CurrentValue as Guid?);
        var actor = Actor.From(http.User);
        var tenantId = scope.PlatformRow ? null : scope.TenantId
            ?? (endpoint.TargetType == AuditTargetType.Tenant ? targetId : null)
            ?? actor?.TenantId
            ?? changes.Select(e => e.Metadata.FindProperty("TenantId") is null ? null : e.Property("TenantId").CurrentValue as Guid?).FirstOrDefault(t => t is not null);

        db.AuditLogs.Add(new AuditLog
        {
            TenantId = tenantId,
            ActorType = actor?.Type ?? (scope.ActorUserId is null ? AuditActorType.System : AuditActorType.User),
            ActorId = actor?.Id ?? scope.ActorUserId,
            Action = endpoint.Action,
            TargetType = endpoint.TargetType,
            TargetId = targetId,
            Severity = scope.Severity ?? endpoint.Severity,
            Details = Details(scope, targetEntry ?? changes[0]),
            IpAddress = http.Connection.RemoteIpAddress,
            UserAgent = Truncate(http.Request.Headers.UserAgent.ToString(), 512),
            CreatedAt = DateTimeOffset.UtcNow,
        });
        scope.Written = true;
    }

    private static JsonDocument Details(AuditScope scope, EntityEntry entry)
    {
        var details = new Dictionary<string, object?>(scope.Details.Select(d => KeyValuePair.Create(d.Key, Mask(d.Key, d.Value))));
        if (entry.State == EntityState.Modified)
        {
            details["changed"] = entry.Properties
                .Where(p => p.IsModified)
                .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Metadata.Name), p => Mask(p.Metadata.Name, Printable(p.CurrentValue)));
        }
        else
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

    private static Guid? RouteId(HttpContext http)
    {
        foreach (var (_, value) in http.Request.RouteValues)
        {
            if (Guid.TryParse(value?.ToString(), out var id))
            {
                return id;
            }
        }

        return null;
    }

    private static string? Truncate(string value, int length) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= length ? value : value[..length];
}

internal static class AuditTargets
{
    public static AuditTargetType? Of(object entity) => entity switch
    {
        Tenant => AuditTargetType.Tenant,
        User => AuditTargetType.User,
        Agent => AuditTargetType.Agent,
        Skill => AuditTargetType.Skill,
        ApiKey => AuditTargetType.ApiKey,
        TeamMember or TeamInvite => AuditTargetType.Team,
        _ => null,
    };
}
