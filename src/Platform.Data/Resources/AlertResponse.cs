using Platform.Data.Entities;

namespace Platform.Data.Resources;

/// <summary>An alert as the API returns it, and as the <c>alert.*</c> webhook events carry it.</summary>
public sealed record AlertResponse(
    Guid Id, Guid? TenantId, Guid? AgentId, string? ContainerId, string Kind, AlertSeverity Severity, string State, string Title, string Message,
    DateTimeOffset CreatedAt, DateTimeOffset? AcknowledgedAt, Guid? AcknowledgedByUserId, DateTimeOffset? ResolvedAt);
