using System.Linq.Expressions;
using Platform.Data.Entities;

namespace Platform.Data.Resources;

/// <summary>An audit row as <see cref="AuditLogResponse"/>, for the API's audit log and the webhook events alike.</summary>
public static class AuditLogProjection
{
    public static readonly Expression<Func<AuditLog, AuditLogResponse>> ToResponse = l => new AuditLogResponse(
        l.Id, l.TenantId, l.ActorType, l.ActorId, l.Action, l.TargetType, l.TargetId, l.Severity,
        l.Details == null ? null : l.Details.RootElement, l.IpAddress == null ? null : l.IpAddress.ToString(), l.UserAgent, l.CreatedAt);

    private static readonly Func<AuditLog, AuditLogResponse> Compiled = ToResponse.Compile();

    /// <summary>The same response from an audit row held in memory.</summary>
    public static AuditLogResponse From(AuditLog row) => Compiled(row);
}
