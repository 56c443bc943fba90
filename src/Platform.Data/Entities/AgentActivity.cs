using System.Text.Json;

namespace Platform.Data.Entities;

public class AgentActivity
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public ActivityType Type { get; set; }
    public string Summary { get; set; } = string.Empty;
    public JsonDocument? Details { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
