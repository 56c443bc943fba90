using System.ComponentModel.DataAnnotations;
using Platform.Api.Http;
using Platform.Data.Entities;

namespace Platform.Api.Agents;

public sealed record AgentChannelSummary(Guid Id, ChannelType Type, string Name, bool Enabled);

/// <summary>While an agent is idle: how deep it sleeps (frozen keeps its memory, stopped holds none), since when and why.</summary>
public sealed record AgentIdle(HibernationStage Stage, DateTimeOffset Since, string Reason);

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

public sealed record CreateAgentRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string Name,
    [property: StringLength(2000)] string? Description = null,
    AgentRole Role = AgentRole.Custom,
    ModelTier? ModelTier = null,
    ThinkingMode? ThinkingMode = null,
    ToolPolicy? ToolPolicy = null,
    AssistedUser? AssistedUser = null);

/// <summary>Partial update; <c>status</c> changes only through pause and resume.</summary>
public sealed record UpdateAgentRequest(
    [property: StringLength(100, MinimumLength = 1)] string? Name = null,
    [property: StringLength(2000)] string? Description = null,
    AgentRole? Role = null,
    ModelTier? ModelTier = null,
    ThinkingMode? ThinkingMode = null,
    ToolPolicy? ToolPolicy = null,
    AssistedUser? AssistedUser = null);

public sealed class AgentListQuery
{
    public QueryEnum<AgentStatus>? Status { get; init; }

    public QueryEnum<AgentRole>? Role { get; init; }

    [StringLength(200)]
    public string? Q { get; init; }
}
