using Platform.Data.Entities;

namespace Platform.Data.Resources;

public sealed record AgentChannelSummary(Guid Id, ChannelType Type, string Name, bool Enabled);

/// <summary>While an agent is idle: how deep it sleeps (frozen keeps its memory, stopped holds none), since when and why.</summary>
public sealed record AgentIdle(HibernationStage Stage, DateTimeOffset Since, string Reason);

/// <summary>An agent as the API returns it, and as an <c>agent.status_changed</c> webhook event carries it.</summary>
public sealed record AgentResponse(
    Guid Id, string Name, string? Description, AgentRole Role, AgentStatus Status, ModelTier ModelTier, ThinkingMode ThinkingMode,
    ToolPolicy ToolPolicy, AssistedUser? AssistedUser, IReadOnlyList<AgentChannelSummary> Channels,
    DateTimeOffset? LastActive, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, AgentIdle? Idle)
{
    /// <summary>
    /// The primary channel: the first enabled one in creation order. Picked from <see cref="Channels"/> in memory,
    /// because as SQL it is a ROW_NUMBER subquery per agent that costs more than the whole list query.
    /// </summary>
    public AgentChannelSummary? Channel => Channels.FirstOrDefault(c => c.Enabled);
}
