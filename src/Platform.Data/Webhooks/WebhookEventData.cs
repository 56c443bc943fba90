using Platform.Data.Entities;

namespace Platform.Data.Webhooks;

/// <summary>An alert as the API's <c>AlertResponse</c> shows it (the same members, in the same JSON).</summary>
public sealed record AlertEventData(
    Guid Id, Guid? TenantId, Guid? AgentId, string? ContainerId, string Kind, AlertSeverity Severity, string State, string Title, string Message,
    DateTimeOffset CreatedAt, DateTimeOffset? AcknowledgedAt, Guid? AcknowledgedByUserId, DateTimeOffset? ResolvedAt)
{
    public static AlertEventData Of(Alert a) => new(
        a.Id, a.TenantId, a.AgentId, a.ContainerId, a.Kind, a.Severity,
        a.ResolvedAt != null ? "resolved" : a.AcknowledgedAt != null ? "acknowledged" : "open",
        a.Title, a.Message, a.CreatedAt, a.AcknowledgedAt, a.AcknowledgedByUserId, a.ResolvedAt);
}

/// <summary>An agent's status change: the agent's identity, its new and previous status.</summary>
public sealed record AgentStatusEventData(Guid Id, Guid TenantId, string Name, AgentStatus Status, AgentStatus? PreviousStatus, DateTimeOffset UpdatedAt);

/// <summary>A critical audit row as the API's audit log shows it.</summary>
public sealed record AuditEventData(
    Guid Id, Guid? TenantId, AuditActorType ActorType, Guid? ActorId, string Action, AuditTargetType? TargetType, Guid? TargetId,
    AuditSeverity Severity, System.Text.Json.JsonDocument? Details, DateTimeOffset CreatedAt)
{
    public static AuditEventData Of(AuditLog l) =>
        new(l.Id, l.TenantId, l.ActorType, l.ActorId, l.Action, l.TargetType, l.TargetId, l.Severity, l.Details, l.CreatedAt);
}
