using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Lifecycle;
using Platform.Data.Tenancy;
using Platform.Runtime;
using Platform.Worker.Tracing;

namespace Platform.Worker.Hibernation;

/// <summary>The outcome of one sweep.</summary>
public sealed record HibernationResult(int Hibernated, int Stopped, int Woken, int Failed);

/// <summary>
/// Every <c>Agents:SweepInterval</c>, moves agents along the hibernation edges the worker owns (the API's explicit wake
/// is the other way back):
/// <list type="number">
/// <item>active, quiet for <c>HibernateAfter</c> (or the tenant's minutes) → idle, workload frozen (<c>agent.hibernated</c>);</item>
/// <item>idle frozen for <c>StopAfter</c> more → idle stopped, holding no memory (<c>agent.stopped</c>);</item>
/// <item>idle with activity since it went idle (a user's write to it through the API touches <c>last_active_at</c>) → active,
/// workload running again (<c>agent.woken</c>, trigger <c>activity</c>).</item>
/// </list>
/// Each move locks the agent's row, calls the runtime, and commits the row, its feed event and its system audit row
/// together; a runtime that fails leaves the agent as it was for the next sweep. A failed sweep is logged and the loop goes on.
/// </summary>
public sealed class HibernationSweep(
    IAgentRuntime runtime,
    DbContextOptions<PlatformDbContext> dbOptions,
    IOptions<HibernationOptions> options,
    TimeProvider clock,
    ILogger<HibernationSweep> logger) : BackgroundService
{
    private HibernationOptions Options => options.Value;

    /// <summary>Restricts the sweep to these tenants' agents: for tests that share one database. Null handles every tenant.</summary>
    public IReadOnlyCollection<Guid>? OnlyTenants { get; init; }

    private Guid[]? Only => OnlyTenants?.ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (runtime.Backend == RuntimeBackend.None)
        {
            logger.LogWarning("No agent runtime is configured: agents are not hibernated");
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var result = await SweepOnceAsync(stoppingToken);
                if (result != new HibernationResult(0, 0, 0, 0))
                {
                    logger.LogInformation("Hibernation sweep: {Result}", result);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Hibernation sweep failed");
            }

            await Task.Delay(Options.SweepInterval, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>One sweep (what the loop runs each interval); public so tests need no timer.</summary>
    public async Task<HibernationResult> SweepOnceAsync(CancellationToken cancellationToken)
    {
        int hibernated = 0, stopped = 0, woken = 0, failed = 0;
        async Task Count(Task<bool> move, Action done)
        {
            try
            {
                if (await move)
                {
                    done();
                }
            }
            catch (Exception ex) when (ex is RuntimeUnavailableException or RuntimeOperationException)
            {
                failed++;
                logger.LogWarning("An agent could not change its hibernation stage: {Reason}", ex.Message);
            }
        }

        foreach (var id in await WokenByActivityAsync(cancellationToken))
        {
            await Count(WakeAsync(id, cancellationToken), () => woken++);
        }

        foreach (var id in await QuietAgentsAsync(cancellationToken))
        {
            await Count(HibernateAsync(id, cancellationToken), () => hibernated++);
        }

        foreach (var id in await LongFrozenAsync(cancellationToken))
        {
            await Count(StopAsync(id, cancellationToken), () => stopped++);
        }

        return new HibernationResult(hibernated, stopped, woken, failed);
    }

    private Task<bool> HibernateAsync(Guid id, CancellationToken cancellationToken) =>
        MoveAsync(id, a => a is { Status: AgentStatus.Active, ContainerId: not null }, async (agent, now) =>
        {
            await runtime.FreezeAsync(agent.ContainerId!, cancellationToken);
            var quiet = now - (agent.LastActiveAt ?? agent.UpdatedAt);
            var stage = runtime.CanFreeze ? HibernationStage.Frozen : HibernationStage.Stopped;
            var reason = $"No activity for {Describe(quiet)}";
            AgentTransitions.Hibernate(agent, stage, reason, now);
            return (AgentTransitions.Hibernated, $"Hibernated: {reason.ToLowerInvariant()}", new { stage = Name(stage), quietSeconds = (long)quiet.TotalSeconds });
        }, cancellationToken);

    private Task<bool> StopAsync(Guid id, CancellationToken cancellationToken) =>
        MoveAsync(id, a => a is { Status: AgentStatus.Idle, IdleStage: HibernationStage.Frozen, ContainerId: not null }, async (agent, now) =>
        {
            await runtime.StopAsync(agent.ContainerId!, cancellationToken);
            var reason = $"Idle for {Describe(now - (agent.IdleSince ?? now))}";
            AgentTransitions.Hibernate(agent, HibernationStage.Stopped, reason, now);
            return (AgentTransitions.Stopped, $"Stopped: {reason.ToLowerInvariant()}", new { stage = Name(HibernationStage.Stopped) });
        }, cancellationToken);

    private Task<bool> WakeAsync(Guid id, CancellationToken cancellationToken) =>
        MoveAsync(id, a => a is { Status: AgentStatus.Idle, ContainerId: not null } && a.LastActiveAt > a.IdleSince, async (agent, now) =>
        {
            var details = new { stage = agent.IdleStage is { } s ? Name(s) : null, idleSince = agent.IdleSince, trigger = "activity" };
            await runtime.WakeAsync(agent.ContainerId!, cancellationToken);
            AgentTransitions.Activate(agent, now);
            return (AgentTransitions.Woken, "Woken by activity", (object)details);
        }, cancellationToken);

    /// <summary>Locks the agent, checks it still qualifies, runs the move and saves the row, its feed event and its audit row.</summary>
    private async Task<bool> MoveAsync(
        Guid id, Func<Agent, bool> qualifies, Func<Agent, DateTimeOffset, Task<(string Action, string Summary, object Details)>> move,
        CancellationToken cancellationToken)
    {
        // The look-ups found this agent: its move is a trace of its own (the look-ups start none).
        using var span = LoopTracing.StartWork("agent hibernation", agentId: id);
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var agent = await db.Agents.FromSql($"SELECT * FROM agents WHERE id = {id} FOR UPDATE SKIP LOCKED").SingleOrDefaultAsync(cancellationToken);
        if (agent is null || !qualifies(agent))
        {
            return false; // taken meanwhile by a wake, a pause, a delete or another worker
        }

        span?.SetTag(LoopTracing.TenantIdTag, agent.TenantId.ToString());
        var now = clock.GetUtcNow();
        (string Action, string Summary, object Details) moved;
        try
        {
            moved = await move(agent, now);
        }
        catch (Exception ex)
        {
            span.Failed(ex);
            throw;
        }

        var (action, summary, details) = moved;
        span?.SetTag("agent.transition", action);
        db.AgentActivities.Add(AgentTransitions.FeedEvent(agent, action, summary, details, now));
        db.AuditLogs.Add(AgentTransitions.AuditRow(agent, action, AuditActorType.System, null, details, now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Agent {AgentId} of tenant {TenantId}: {Action}", agent.Id, agent.TenantId, action);
        return true;
    }

    private async Task<List<Guid>> QuietAgentsAsync(CancellationToken cancellationToken)
    {
        var defaultSeconds = Options.HibernateAfter.TotalSeconds;
        var withRealtime = Options.HibernateWithRealtimeChannels;
        // Typed, so that a null list (every tenant) still has a type PostgreSQL can read.
        var only = new NpgsqlParameter("only", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = (object?)Only ?? DBNull.Value };
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        return await db.Database.SqlQuery<Guid>($"""
            SELECT a.id AS "Value" FROM agents a JOIN tenants t ON t.id = a.tenant_id
            CROSS JOIN LATERAL (SELECT coalesce((t.resource_limits ->> 'hibernate_after_minutes')::float8 * 60, {defaultSeconds}) AS seconds) AS after
            WHERE a.status = 'active' AND a.container_id IS NOT NULL AND after.seconds > 0
              AND ({only} IS NULL OR a.tenant_id = ANY({only}))
              AND coalesce(a.last_active_at, a.updated_at) < now() - make_interval(secs => after.seconds)
              AND ({withRealtime} OR NOT EXISTS (
                  SELECT 1 FROM agent_channels c WHERE c.agent_id = a.id AND c.enabled AND c.type IN ('slack', 'teams')))
            ORDER BY coalesce(a.last_active_at, a.updated_at) LIMIT {Options.BatchSize}
            """).ToListAsync(cancellationToken);
    }

    private async Task<List<Guid>> LongFrozenAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - Options.StopAfter;
        var only = Only;
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        return await db.Agents.AsNoTracking()
            .Where(a => a.Status == AgentStatus.Idle && a.IdleStage == HibernationStage.Frozen && a.IdleSince < cutoff)
            .Where(a => only == null || only.Contains(a.TenantId))
            .OrderBy(a => a.IdleSince).Select(a => a.Id).Take(Options.BatchSize).ToListAsync(cancellationToken);
    }

    private async Task<List<Guid>> WokenByActivityAsync(CancellationToken cancellationToken)
    {
        var only = Only;
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        return await db.Agents.AsNoTracking()
            .Where(a => a.Status == AgentStatus.Idle && a.LastActiveAt > a.IdleSince)
            .Where(a => only == null || only.Contains(a.TenantId))
            .Select(a => a.Id).Take(Options.BatchSize).ToListAsync(cancellationToken);
    }

    private static string Name(HibernationStage stage) => stage == HibernationStage.Frozen ? "frozen" : "stopped";

    private static string Describe(TimeSpan span) =>
        span >= TimeSpan.FromHours(1) ? $"{span.TotalHours:0.#} h" : span >= TimeSpan.FromMinutes(1) ? $"{span.TotalMinutes:0} min" : $"{span.TotalSeconds:0} s";
}
