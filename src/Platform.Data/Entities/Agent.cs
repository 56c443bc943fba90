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
    /// <summary>The agent's workload in the runtime: a container id on an engine, a service id on a swarm.</summary>
    public string? ContainerId { get; set; }

    /// <summary>When the agent last did something: posted an activity, was written to through the API, was woken.</summary>
    public DateTimeOffset? LastActiveAt { get; set; }

    /// <summary>While <see cref="Status"/> is idle: how deep it sleeps, since when, and why.</summary>
    public HibernationStage? IdleStage { get; set; }

    public DateTimeOffset? IdleSince { get; set; }

    public string? IdleReason { get; set; }

    /// <summary>Failed attempts to create the workload in a row; reset when one succeeds.</summary>
    public int ProvisionAttempts { get; set; }

    /// <summary>Not before this is the workload created again (back-off after a failed attempt).</summary>
    public DateTimeOffset? NextProvisionAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<AgentChannel> Channels { get; set; } = [];
    public List<SkillInstallation> SkillInstallations { get; set; } = [];
}

/// <summary>
/// How an idle agent sleeps (stored as text): <see cref="Frozen"/> keeps its memory and wakes fast (an engine's pause),
/// <see cref="Stopped"/> holds no memory (a stopped container, or a service scaled to 0).
/// </summary>
public enum HibernationStage { Frozen, Stopped }
