using System.ComponentModel.DataAnnotations;
using Platform.Api.Http;
using Platform.Data.Entities;

namespace Platform.Api.Agents;

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
