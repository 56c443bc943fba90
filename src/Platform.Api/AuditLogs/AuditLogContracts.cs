using System.Text.Json;
using Platform.Data.Entities;

namespace Platform.Api.AuditLogs;

public sealed record AuditLogResponse(
    Guid Id, Guid? TenantId, AuditActorType ActorType, Guid? ActorId, string Action, AuditTargetType? TargetType, Guid? TargetId,
    AuditSeverity Severity, JsonElement? Details, string? IpAddress, string? UserAgent, DateTimeOffset CreatedAt);
