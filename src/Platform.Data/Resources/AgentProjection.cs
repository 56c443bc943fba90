using System.Linq.Expressions;
using Platform.Data.Entities;

namespace Platform.Data.Resources;

/// <summary>An agent as <see cref="AgentResponse"/>, for the API's answers and the webhook events alike.</summary>
public static class AgentProjection
{
    /// <summary>
    /// One SQL statement for an agent and its channels (a single LEFT JOIN, no N+1).
    /// </summary>
    public static readonly Expression<Func<Agent, AgentResponse>> ToResponse = a => new AgentResponse(
        a.Id, a.Name, a.Description, a.Role, a.Status, a.ModelTier, a.ThinkingMode, a.ToolPolicy, a.AssistedUser,
        a.Channels.OrderBy(c => c.Id).Select(c => new AgentChannelSummary(c.Id, c.Type, c.Name, c.Enabled)).ToList(),
        a.LastActiveAt, a.CreatedAt, a.UpdatedAt,
        a.Status == AgentStatus.Idle && a.IdleStage != null ? new AgentIdle(a.IdleStage.Value, a.IdleSince ?? a.UpdatedAt, a.IdleReason ?? "") : null);

    /// <summary>
    /// The same response from an agent held in memory with its channels: a write answers from what it saved, never from a
    /// read after the commit, which could fail and turn a committed write into an error.
    /// </summary>
    public static AgentResponse From(Agent a) => new(
        a.Id, a.Name, a.Description, a.Role, a.Status, a.ModelTier, a.ThinkingMode, a.ToolPolicy, a.AssistedUser,
        [.. a.Channels.OrderBy(c => c.Id).Select(c => new AgentChannelSummary(c.Id, c.Type, c.Name, c.Enabled))],
        a.LastActiveAt, a.CreatedAt, a.UpdatedAt,
        a is { Status: AgentStatus.Idle, IdleStage: { } stage } ? new AgentIdle(stage, a.IdleSince ?? a.UpdatedAt, a.IdleReason ?? "") : null);
}
