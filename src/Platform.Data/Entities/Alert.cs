namespace Platform.Data.Entities;

public class Alert
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>Null for platform-wide alerts.</summary>
    public Guid? TenantId { get; set; }

    public Guid? AgentId { get; set; }
    public string? ContainerId { get; set; }

    /// <summary>e.g. container_unhealthy, container_exited, restart_loop, memory_pressure.</summary>
    public string Kind { get; set; } = string.Empty;

    public AlertSeverity Severity { get; set; } = AlertSeverity.Warning;
    public string Title { get; set; } = string.Empty;
    public string Message { get; set; } = string.Empty;

    /// <summary>At most one unresolved alert exists per fingerprint.</summary>
    public string Fingerprint { get; set; } = string.Empty;

    public DateTimeOffset? AcknowledgedAt { get; set; }
    public Guid? AcknowledgedByUserId { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
