using System.Text.Json;

namespace Platform.Data.Entities;

public class SkillInstallation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public Agent? Agent { get; set; }
    public Guid SkillId { get; set; }
    public Skill? Skill { get; set; }

    /// <summary>The skill version installed.</summary>
    public string Version { get; set; } = string.Empty;

    public JsonDocument Config { get; set; } = JsonDocument.Parse("{}");
    public Guid? InstalledByUserId { get; set; }
    public DateTimeOffset InstalledAt { get; set; }
}
