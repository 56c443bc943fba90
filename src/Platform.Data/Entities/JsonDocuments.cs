namespace Platform.Data.Entities;

// Typed shapes of the structured jsonb columns. Stored with snake_case keys and snake_case enum
// strings (see Configurations/JsonColumn.cs). Records are replaced as a whole, never mutated in place.

/// <summary>tenants.model_defaults: what new agents of the tenant start with.</summary>
public sealed record ModelDefaults
{
    public ModelTier ModelTier { get; init; } = ModelTier.Sonnet;
    public ThinkingMode ThinkingMode { get; init; } = ThinkingMode.Off;
}

/// <summary>tenants.resource_limits: a null field falls back to the plan's default.</summary>
public sealed record ResourceLimits
{
    public int? MaxAgents { get; init; }

    /// <summary>CPU cores per agent container.</summary>
    public decimal? Cpu { get; init; }

    public int? MemoryMb { get; init; }
    public int? RequestsPerMinute { get; init; }

    /// <summary>Minutes without activity before an active agent hibernates; 0 = never; null = the platform's default.</summary>
    public int? HibernateAfterMinutes { get; init; }
}

/// <summary>agents.tool_policy.</summary>
public sealed record ToolPolicy
{
    public IReadOnlyList<string> Allowed { get; init; } = [];
    public IReadOnlyList<string> Denied { get; init; } = [];
    public IReadOnlyList<ToolApprovalRule> ApprovalRules { get; init; } = [];
}

public sealed record ToolApprovalRule
{
    public string Tool { get; init; } = string.Empty;
    public bool RequiresApproval { get; init; } = true;

    /// <summary>Who may approve; null means the assisted user.</summary>
    public UserRole? Approver { get; init; }
}

/// <summary>agents.assisted_user: the person the agent works for.</summary>
public sealed record AssistedUser
{
    public string Role { get; init; } = string.Empty;
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? Timezone { get; init; }
    public IReadOnlyDictionary<string, string> Preferences { get; init; } = new Dictionary<string, string>();
}
