using System.Text.Json;

namespace Platform.Data.Entities;

public class AgentChannel
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public Agent? Agent { get; set; }
    public ChannelType Type { get; set; }
    public string Name { get; set; } = string.Empty;

    /// <summary>Channel settings; secret values inside are encrypted and never returned by the API.</summary>
    public JsonDocument Config { get; set; } = JsonDocument.Parse("{}");

    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
