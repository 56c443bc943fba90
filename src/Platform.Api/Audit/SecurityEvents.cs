using System.Text.Json;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Audit;

/// <summary>
/// Audit rows for security events that are not a successful mutation of the endpoint (a failed
/// login, a lockout, a reused refresh token): the caller adds them to the save that records the event.
/// </summary>
public static class SecurityEvents
{
    public static void Add(
        PlatformDbContext db,
        HttpContext http,
        string action,
        AuditSeverity severity,
        Guid? userId,
        Guid? tenantId,
        object? details = null)
    {
        db.AuditLogs.Add(new AuditLog
        {
            TenantId = tenantId,
            ActorType = userId is null ? AuditActorType.System : AuditActorType.User,
            ActorId = userId,
            Action = action,
            TargetType = userId is null ? null : AuditTargetType.User,
            TargetId = userId,
            Severity = severity,
            Details = details is null ? null : JsonSerializer.SerializeToDocument(details),
            IpAddress = http.Connection.RemoteIpAddress,
            UserAgent = http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 512)] : null,
            CreatedAt = DateTimeOffset.UtcNow,
        });

        // This request's own mutation audit (if any) must not be suppressed by this row.
    }
}
