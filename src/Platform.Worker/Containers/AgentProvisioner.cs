using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;
using Platform.Data.Tenancy;
using Platform.Runtime;
using Platform.Worker.Tracing;

namespace Platform.Worker.Containers;

/// <summary>
/// Agents that need a workload (<see cref="ProvisioningClaims.NextAgentAsync"/>) get one from the runtime, with an API
/// key minted for it, and move to <c>active</c>. A create the runtime refuses is retried with back-off
/// (<c>Runtime:ProvisionRetrySeconds</c>, doubling up to <c>Runtime:ProvisionRetryMaxSeconds</c>); after
/// <c>Runtime:ProvisionAttemptsBeforeError</c> refusals in a row the agent goes to <c>error</c> with one
/// <c>container_create_failed</c> alert in the runtime's own words, resolved when a later create succeeds. A runtime
/// that does not answer costs no attempt: the agent waits for the next pass.
/// </summary>
internal sealed class AgentProvisioner(
    IAgentRuntime runtime,
    RuntimeOptions runtimeOptions,
    RuntimeLoopOptions options,
    DbContextOptions<PlatformDbContext> dbOptions,
    AlertStore alerts,
    ILogger logger,
    TimeProvider clock)
{
    public async Task<(int Provisioned, int Failed)> ProvisionAsync(Guid[] onlyTenants, CancellationToken cancellationToken)
    {
        int provisioned = 0, failed = 0;
        for (var i = 0; i < options.ProvisionBatchSize; i++)
        {
            await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var agent = await ProvisioningClaims.NextAgentAsync(db, onlyTenants, clock.GetUtcNow(), cancellationToken);
            if (agent is null)
            {
                break;
            }

            using var span = LoopTracing.StartWork("agent provisioning", agent.TenantId, agent.Id);

            var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == agent.TenantId, cancellationToken);
            string? containerId = null;
            try
            {
                var key = RuntimeKeys.Mint(agent.TenantId, agent.Id, clock.GetUtcNow());
                containerId = await runtime.CreateAsync(AgentWorkloads.Spec(agent, tenant, key.Key, runtimeOptions), cancellationToken);

                var now = clock.GetUtcNow();
                db.ApiKeys.Add(key.Row);
                agent.ContainerId = containerId;
                agent.Status = AgentStatus.Active;
                agent.ProvisionAttempts = 0;
                agent.NextProvisionAt = null;
                agent.UpdatedAt = now;
                await db.SaveChangesAsync(cancellationToken);
                await alerts.ResolveAsync(db, [AlertRules.ContainerCreateFailedFingerprint(agent.Id)], cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                provisioned++;
                logger.LogInformation("Agent {AgentId} of tenant {TenantId} runs in workload {ContainerId}", agent.Id, agent.TenantId, containerId);
            }
            catch (RuntimeUnavailableException ex)
            {
                span.Failed(ex);
                logger.LogWarning(ex, "The agent runtime is unreachable while provisioning agent {AgentId}; retried next pass", agent.Id);
                await RemoveQuietlyAsync(containerId);
                break;
            }
            catch (RuntimeOperationException ex)
            {
                span.Failed(ex);
                await RemoveQuietlyAsync(containerId);
                await RecordFailureAsync(db, agent, ex, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                failed++;
            }
            catch
            {
                // The database side failed: the row stays as it was and the workload goes.
                await RemoveQuietlyAsync(containerId);
                throw;
            }
        }

        return (provisioned, failed);
    }

    private async Task RecordFailureAsync(PlatformDbContext db, Agent agent, RuntimeOperationException error, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        agent.ProvisionAttempts++;
        agent.NextProvisionAt = now + options.ProvisionRetryDelay(agent.ProvisionAttempts);
        agent.ContainerId = null;
        agent.UpdatedAt = now;
        var givingUp = agent.ProvisionAttempts >= options.ProvisionAttemptsBeforeError;
        if (givingUp)
        {
            agent.Status = AgentStatus.Error;
        }

        await db.SaveChangesAsync(cancellationToken);
        logger.Log(givingUp ? LogLevel.Error : LogLevel.Warning,
            "Creating the workload of agent {AgentId} failed ({Attempts} in a row; next try at {NextTry:O}): {Error}",
            agent.Id, agent.ProvisionAttempts, agent.NextProvisionAt, error.Message);
        if (givingUp)
        {
            await alerts.OpenAsync(db, new AlertDraft(
                agent.TenantId, agent.Id, null, AlertRules.ContainerCreateFailed, AlertSeverity.Critical,
                $"The container of agent {agent.Name} could not be created",
                $"Agent {agent.Id} (image {runtimeOptions.AgentImage}) failed {agent.ProvisionAttempts} times in a row at {runtime.Endpoint}: {error.Message}",
                AlertRules.ContainerCreateFailedFingerprint(agent.Id)), cancellationToken);
        }
    }

    /// <summary>Best-effort clean-up after a failed attempt: never throws, and ignores the caller's cancellation.</summary>
    private async Task RemoveQuietlyAsync(string? workloadId)
    {
        if (workloadId is null)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(runtimeOptions.RequestTimeoutSeconds));
            await runtime.RemoveAsync(workloadId, timeout.Token);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not remove workload {ContainerId}", workloadId);
        }
    }
}
