using System.Text.Json;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Audit;

/// <summary>
/// The audit row of a read that hands out secrets in clear (an agent's runtime document). The <see cref="AuditInterceptor"/>
/// writes rows only for saved changes, and a read saves none: the handler adds this row and saves it before it answers, so
/// no secret leaves without its row. Its details name what was revealed, never a value.
/// </summary>
public static class SecretReads
{
    public static void Add(
        PlatformDbContext db,
        HttpContext http,
        Actor actor,
        string action,
        AuditTargetType targetType,
        Guid targetId,
        Guid tenantId,
        object details)
    {
        db.AuditLogs.Add(new AuditLog
        {
            TenantId = tenantId,
            ActorType = actor.Type,
            ActorId = actor.Id,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            Severity = AuditSeverity.Warning,
            Details = JsonSerializer.SerializeToDocument(details, DetailsJson),
            IpAddress = http.Connection.RemoteIpAddress,
            UserAgent = http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 512)] : null,
            CreatedAt = DateTimeOffset.UtcNow,
        });
    }

    private static readonly JsonSerializerOptions DetailsJson = new(JsonSerializerDefaults.Web);
}
