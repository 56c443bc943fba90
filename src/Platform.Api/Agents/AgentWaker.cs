using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Activities;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Lifecycle;
using Platform.Data.Tenancy;
using Platform.Runtime;

namespace Platform.Api.Agents;

/// <summary>Who asked for a wake, for its audit row.</summary>
public sealed record WakeRequest(Guid TenantId, Guid AgentId, string WorkloadId, AuditActorType ActorType, Guid? ActorId);

/// <summary>
/// Wakes idle agents: the workload first (unfrozen or started, and running when this returns), then the row, its feed
/// event and its <c>agent.woken</c> audit row in one transaction. Concurrent wakes of one agent on this replica share one
/// in-flight wake (the first caller is its actor); on several replicas the row lock lets one transition win, and the
/// runtime's wake is idempotent.
/// </summary>
public sealed class AgentWaker(IAgentRuntime runtime, DbContextOptions<PlatformDbContext> dbOptions, ActivityFeed feed, TimeProvider clock)
{
    // Long enough for a stopped workload's start; a shared wake does not end with its first caller's request.
    private static readonly TimeSpan WakeTimeout = TimeSpan.FromMinutes(2);
    private readonly ConcurrentDictionary<Guid, Lazy<Task>> _inFlight = new();

    public Task WakeAsync(WakeRequest request) =>
        _inFlight.GetOrAdd(request.AgentId, _ => new Lazy<Task>(() => RunAsync(request))).Value;

    private async Task RunAsync(WakeRequest request)
    {
        try
        {
            using var timeout = new CancellationTokenSource(WakeTimeout);
            await runtime.WakeAsync(request.WorkloadId, timeout.Token);
            await MarkActiveAsync(request, timeout.Token);
        }
        finally
        {
            _inFlight.TryRemove(request.AgentId, out _);
        }
    }

    private async Task MarkActiveAsync(WakeRequest request, CancellationToken cancellationToken)
    {
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForTenant(request.TenantId));
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var agent = await db.Agents.FromSql($"SELECT * FROM agents WHERE id = {request.AgentId} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (agent is not { Status: AgentStatus.Idle })
        {
            return; // another replica's wake, a pause or a delete came first
        }

        var now = clock.GetUtcNow();
        var details = new { stage = agent.IdleStage?.ToString().ToLowerInvariant(), idleSince = agent.IdleSince, trigger = "wake" };
        db.AgentActivities.Add(AgentTransitions.FeedEvent(agent, AgentTransitions.Woken, "Woken", details, now));
        db.AuditLogs.Add(AgentTransitions.AuditRow(agent, AgentTransitions.Woken, request.ActorType, request.ActorId, details, now));
        AgentTransitions.Activate(agent, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        feed.Committed(request.TenantId);
    }
}
