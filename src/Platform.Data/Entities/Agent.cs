namespace Platform.Data.Entities;

public class Agent
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Tenant? Tenant { get; set; }
    public string Name { get; set; } = string.Empty;
    public string? Description { get; set; }
    public AgentRole Role { get; set; } = AgentRole.Custom;
    public AgentStatus Status { get; set; } = AgentStatus.Provisioning;
    public ModelTier ModelTier { get; set; } = ModelTier.Sonnet;
    public ThinkingMode ThinkingMode { get; set; } = ThinkingMode.Off;
    public ToolPolicy ToolPolicy { get; set; } = new();
    public AssistedUser? AssistedUser { get; set; }
    public string? ContainerId { get; set; }
    public DateTimeOffset? LastActiveAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<AgentChannel> Channels { get; set; } = [];
    public List<SkillInstallation> SkillInstallations { get; set; } = [];
}
