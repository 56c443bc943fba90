using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Api.Activities;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Lifecycle;
using Platform.Data.Security;
using Platform.Runtime;

namespace Platform.Api.Agents;

/// <summary>
/// Restarts an agent: a fresh workload with a new runtime key, the old key revoked. The new key is stored before the
/// runtime sees it (a workload never runs with a key the API does not know), and revoked again when the runtime fails.
/// </summary>
public sealed class AgentRestarter(
    IAgentRuntime runtime, IOptions<RuntimeOptions> options, ActivityFeed feed, SecurityChangeFeed securityChanges, TimeProvider clock)
{
    public async Task RestartAsync(PlatformDbContext db, Agent agent, Actor actor, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == agent.TenantId, cancellationToken);
        var fresh = RuntimeKeys.Mint(agent.TenantId, agent.Id, clock.GetUtcNow());
        db.ApiKeys.Add(fresh.Row);
        await db.SaveChangesAsync(cancellationToken);

        string workload;
        try
        {
            workload = await runtime.RecreateAsync(agent.ContainerId!, AgentWorkloads.Spec(agent, tenant, fresh.Key, options.Value), cancellationToken);
        }
        catch
        {
            await RevokeAsync(db, [fresh.Row], CancellationToken.None);
            throw;
        }

        var now = clock.GetUtcNow();
        var previous = await db.ApiKeys.Where(k => k.AgentId == agent.Id && k.Id != fresh.Row.Id && k.RevokedAt == null).ToListAsync(cancellationToken);
        var details = new { previousWorkload = agent.ContainerId, workload, keyRotated = true };
        agent.ContainerId = workload;
        agent.Status = AgentStatus.Active;
        agent.LastActiveAt = now;
        agent.UpdatedAt = now;
        db.AgentActivities.Add(AgentTransitions.FeedEvent(agent, AgentTransitions.Restarted, "Restarted", details, now));
        db.AuditLogs.Add(AgentTransitions.AuditRow(agent, AgentTransitions.Restarted, actor.Type, actor.Id, details, now, AuditSeverity.Warning));
        await RevokeAsync(db, previous, cancellationToken);
        feed.Committed(agent.TenantId);
    }

    private async Task RevokeAsync(PlatformDbContext db, IReadOnlyList<ApiKey> keys, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var revoked = keys.Select(key =>
        {
            key.RevokedAt = now;
            return SecurityChange.ApiKeyRevoked(key.Prefix, now);
        }).ToList();
        db.SecurityChanges.AddRange(revoked);
        await db.SaveChangesAsync(cancellationToken);
        revoked.ForEach(securityChanges.ApplyNow);
    }
}
