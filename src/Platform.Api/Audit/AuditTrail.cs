using System.Text.Json;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Audit;

/// <summary>
/// Writes the request's audit rows. Each is added to the handler's context just before its <c>SaveChangesAsync</c>, so it
/// commits or fails with the change it describes; a handler that returns before saving writes none. Every row carries the
/// caller's address and user agent.
/// </summary>
public sealed class AuditTrail(IHttpContextAccessor accessor, CurrentUser caller)
{
    private static readonly JsonSerializerOptions SecretReadJson = new(JsonSerializerDefaults.Web);

    /// <summary>The row of a successful mutation: the entry, the caller as actor, and the pending changes as details.</summary>
    public void Record(PlatformDbContext db, AuditEntry entry)
    {
        var (target, changedTenant) = AuditDetails.Pending(db, entry.TargetType);
        var actor = caller.Actor;
        Add(db, new AuditLog
        {
            TenantId = entry.PlatformRow ? null : entry.TenantId
                ?? (entry.TargetType == AuditTargetType.Tenant ? entry.TargetId : null)
                ?? actor?.TenantId
                ?? changedTenant,
            ActorType = actor?.Type ?? (entry.ActorUserId is null ? AuditActorType.System : AuditActorType.User),
            ActorId = actor?.Id ?? entry.ActorUserId,
            Action = entry.Action,
            TargetType = entry.TargetType,
            TargetId = entry.TargetId,
            Severity = entry.Severity,
            Details = AuditDetails.Of(entry.Details, target),
        });
    }

    /// <summary>
    /// The row of a security event that is not a successful mutation (a failed login, a lockout, a reused refresh token),
    /// by the user it concerns; the caller adds it to the save that records the event.
    /// </summary>
    public void RecordSecurityEvent(PlatformDbContext db, string action, AuditSeverity severity, Guid? userId, Guid? tenantId, object? details = null) =>
        Add(db, new AuditLog
        {
            TenantId = tenantId,
            ActorType = userId is null ? AuditActorType.System : AuditActorType.User,
            ActorId = userId,
            Action = action,
            TargetType = userId is null ? null : AuditTargetType.User,
            TargetId = userId,
            Severity = severity,
            Details = details is null ? null : JsonSerializer.SerializeToDocument(details),
        });

    /// <summary>
    /// The row of a read that hands out secrets in clear (an agent's runtime document). A read saves no change, so the
    /// handler saves this row before it answers: no secret leaves without its row. The details name what was revealed, never a value.
    /// </summary>
    public void RecordSecretRead(PlatformDbContext db, string action, AuditTargetType targetType, Guid targetId, Guid tenantId, object details)
    {
        var actor = caller.Required;
        Add(db, new AuditLog
        {
            TenantId = tenantId,
            ActorType = actor.Type,
            ActorId = actor.Id,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            Severity = AuditSeverity.Warning,
            Details = JsonSerializer.SerializeToDocument(details, SecretReadJson),
        });
    }

    private void Add(PlatformDbContext db, AuditLog row)
    {
        var http = accessor.HttpContext ?? throw new InvalidOperationException("Audit rows of the API are written within a request.");
        row.IpAddress = http.Connection.RemoteIpAddress;
        row.UserAgent = http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 512)] : null;
        row.CreatedAt = DateTimeOffset.UtcNow;
        db.AuditLogs.Add(row);
    }
}
