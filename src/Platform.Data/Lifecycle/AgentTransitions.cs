using System.Text.Json;
using Platform.Data.Entities;

namespace Platform.Data.Lifecycle;

/// <summary>
/// The hibernation edges of an agent's state machine (active → idle frozen → idle stopped → active), shared by the worker
/// (which puts agents to sleep) and the API (which wakes them). Each transition is the row change, one feed event (an
/// activity of type task whose details name the event) and one audit row, saved together by the caller.
/// </summary>
public static class AgentTransitions
{
    public const string Hibernated = "agent.hibernated";
    public const string Stopped = "agent.stopped";
    public const string Woken = "agent.woken";
    public const string Restarted = "agent.restarted";

    public static void Hibernate(Agent agent, HibernationStage stage, string reason, DateTimeOffset now)
    {
        agent.IdleSince = agent.Status == AgentStatus.Idle ? agent.IdleSince ?? now : now;
        agent.Status = AgentStatus.Idle;
        agent.IdleStage = stage;
        agent.IdleReason = reason;
        agent.UpdatedAt = now;
    }

    public static void Activate(Agent agent, DateTimeOffset now)
    {
        agent.Status = AgentStatus.Active;
        agent.IdleStage = null;
        agent.IdleSince = null;
        agent.IdleReason = null;
        agent.LastActiveAt = now;
        agent.UpdatedAt = now;
    }

    /// <summary>The feed event of a transition: what the tenant's live feed shows.</summary>
    public static AgentActivity FeedEvent(Agent agent, string action, string summary, object details, DateTimeOffset now) => new()
    {
        TenantId = agent.TenantId,
        AgentId = agent.Id,
        Type = ActivityType.Task,
        Summary = summary,
        Details = JsonSerializer.SerializeToDocument(new Dictionary<string, object> { ["event"] = action, ["transition"] = details }),
        CreatedAt = now,
    };

    /// <summary>The audit row of a transition; <paramref name="actorId"/> null means the system did it.</summary>
    public static AuditLog AuditRow(
        Agent agent, string action, AuditActorType actorType, Guid? actorId, object details, DateTimeOffset now, AuditSeverity severity = AuditSeverity.Info) => new()
    {
        TenantId = agent.TenantId,
        ActorType = actorType,
        ActorId = actorId,
        Action = action,
        TargetType = AuditTargetType.Agent,
        TargetId = agent.Id,
        Severity = severity,
        Details = JsonSerializer.SerializeToDocument(details),
        CreatedAt = now,
    };
}
