using System.Net;
using System.Text.Json;

namespace Platform.Data.Entities;

public class AuditLog
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>Null for platform actions.</summary>
    public Guid? TenantId { get; set; }

    public AuditActorType ActorType { get; set; }

    /// <summary>User or API key id; null for the system.</summary>
    public Guid? ActorId { get; set; }

    /// <summary>e.g. agent.updated.</summary>
    public string Action { get; set; } = string.Empty;

    public AuditTargetType? TargetType { get; set; }
    public Guid? TargetId { get; set; }
    public AuditSeverity Severity { get; set; } = AuditSeverity.Info;

    /// <summary>Secrets are masked before they get here.</summary>
    public JsonDocument? Details { get; set; }

    public IPAddress? IpAddress { get; set; }
    public string? UserAgent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
