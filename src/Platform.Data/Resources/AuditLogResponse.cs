using System.Text.Json;
using Platform.Data.Entities;

namespace Platform.Data.Resources;

/// <summary>An audit row as the API's audit log returns it, and as an <c>audit.critical</c> webhook event carries it.</summary>
public sealed record AuditLogResponse(
    Guid Id, Guid? TenantId, AuditActorType ActorType, Guid? ActorId, string Action, AuditTargetType? TargetType, Guid? TargetId,
    AuditSeverity Severity, JsonElement? Details, string? IpAddress, string? UserAgent, DateTimeOffset CreatedAt);
