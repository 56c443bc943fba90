using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Tenancy;
using Platform.Runtime;
using Platform.Worker.Tracing;

namespace Platform.Worker.Containers;

/// <summary>
/// Workloads follow their agent rows: a paused agent's workload is frozen, an active one's woken (also from an engine's
/// exited state, which is how a stopped hibernation stage looks there after a pause and a resume); a workload whose agent
/// row is gone (or that is not the agent's current workload) is removed. A hibernating agent's frozen or stopped
/// workload (status idle with an idle stage) is left as the idle state machine put it.
/// </summary>
internal sealed class AgentContainerReconciler(
    IAgentRuntime runtime,
    DbContextOptions<PlatformDbContext> dbOptions,
    ILogger logger)
{
    /// <summary>The workloads listed, for the passes that follow in the same round; null when the runtime did not answer.</summary>
    public IReadOnlyList<AgentWorkload>? Listed { get; private set; }

    /// <param name="onlyTenants">Only workloads of these tenants; null for every tenant.</param>
    public async Task<(int Paused, int Resumed, int Removed)> ReconcileAsync(
        IReadOnlyCollection<Guid>? onlyTenants, CancellationToken cancellationToken)
    {
        try
        {
            Listed = await runtime.ListAsync(cancellationToken);
        }
        catch (RuntimeUnavailableException ex)
        {
            // The poller raises docker_unreachable; nothing to reconcile until the runtime answers.
            logger.LogDebug(ex, "Agent runtime unreachable; workloads not reconciled");
            Listed = null;
            return (0, 0, 0);
        }

        var workloads = onlyTenants is { } only ? Listed.Where(w => only.Contains(w.TenantId)).ToList() : [.. Listed];
        if (workloads.Count == 0)
        {
            return (0, 0, 0);
        }

        var ids = workloads.Select(w => w.AgentId).Distinct().ToArray();
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        var agents = await db.Agents.AsNoTracking()
            .Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, a.Status, a.ContainerId, a.IdleStage })
            .ToDictionaryAsync(a => a.Id, cancellationToken);

        int paused = 0, resumed = 0, removed = 0;
        // Most passes change nothing: a trace starts with the first change.
        Activity? span = null;
        void Changing() => span ??= LoopTracing.StartWork("workload reconciliation");
        try
        {
            foreach (var workload in workloads)
            {
                try
                {
                    if (!agents.TryGetValue(workload.AgentId, out var agent))
                    {
                        Changing();
                        if (await runtime.RemoveAsync(workload.Id, cancellationToken))
                        {
                            removed++;
                            logger.LogInformation("Removed workload {ContainerId}: agent {AgentId} no longer exists", workload.Id, workload.AgentId);
                        }
                    }
                    else if (agent.Status != AgentStatus.Provisioning && agent.ContainerId is { } current
                             && !string.Equals(current, workload.Id, StringComparison.Ordinal))
                    {
                        Changing();
                        if (await runtime.RemoveAsync(workload.Id, cancellationToken))
                        {
                            removed++;
                            logger.LogInformation("Removed workload {ContainerId}: agent {AgentId} runs in {Current}", workload.Id, workload.AgentId, current);
                        }
                    }
                    else if (agent.Status == AgentStatus.Paused && workload.State == WorkloadState.Running)
                    {
                        Changing();
                        await runtime.FreezeAsync(workload.Id, cancellationToken);
                        paused++;
                        logger.LogInformation("Froze workload {ContainerId} of paused agent {AgentId}", workload.Id, workload.AgentId);
                    }
                    else if (ShouldRun(agent.Status, agent.IdleStage)
                             && (workload.State is WorkloadState.Frozen or WorkloadState.Stopped
                                 || (agent.Status == AgentStatus.Active && workload.State == WorkloadState.Exited)))
                    {
                        Changing();
                        await runtime.WakeAsync(workload.Id, cancellationToken);
                        resumed++;
                        logger.LogInformation("Woke workload {ContainerId} of agent {AgentId}", workload.Id, workload.AgentId);
                    }
                }
                catch (RuntimeOperationException ex)
                {
                    // The workload changed meanwhile (stopped, removed): the next pass looks again.
                    logger.LogWarning("Reconciling workload {ContainerId} of agent {AgentId}: {Error}", workload.Id, workload.AgentId, ex.Message);
                }
            }
        }
        finally
        {
            span?.Dispose();
        }

        return (paused, resumed, removed);
    }

    /// <summary>Active, in error, or idle but not hibernating (an idle agent with a stage sleeps on purpose).</summary>
    private static bool ShouldRun(AgentStatus status, HibernationStage? stage) =>
        status is AgentStatus.Active or AgentStatus.Error || (status == AgentStatus.Idle && stage is null);
}
