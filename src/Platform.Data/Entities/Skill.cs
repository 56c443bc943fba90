using System.Text.Json;

namespace Platform.Data.Entities;

/// <summary>A marketplace skill. Global: not tenant-scoped.</summary>
public class Skill
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = string.Empty;
    public string Slug { get; set; } = string.Empty;
    public string Description { get; set; } = string.Empty;
    public SkillCategory Category { get; set; }

    /// <summary>Semantic version, e.g. 1.2.0.</summary>
    public string Version { get; set; } = "1.0.0";

    public SkillStatus Status { get; set; } = SkillStatus.Draft;
    public List<AgentRole> CompatibleRoles { get; set; } = [];
    public JsonDocument Capabilities { get; set; } = JsonDocument.Parse("{}");
    public JsonDocument Permissions { get; set; } = JsonDocument.Parse("{}");

    /// <summary>Mean rating, 0 to 5.</summary>
    public decimal Rating { get; set; }

    public int RatingCount { get; set; }

    /// <summary>Sum of all ratings: the mean stays exact under concurrent ratings (rating = total / count).</summary>
    public int RatingTotal { get; set; }
    public int InstallCount { get; set; }
    public string Publisher { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<SkillInstallation> Installations { get; set; } = [];
}
