using Docker.DotNet;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;
using Platform.Data.Tenancy;

namespace Platform.Worker.Containers;

/// <summary>
/// Agents in <c>provisioning</c> (of active tenants) get a container and an API key minted for it, and
/// move to <c>active</c>; or to <c>error</c> with a <c>container_create_failed</c> alert. An unreachable
/// engine leaves them in <c>provisioning</c> for the next pass.
/// </summary>
internal sealed class AgentProvisioner(
    DockerOptions options,
    DbContextOptions<PlatformDbContext> dbOptions,
    AgentContainerFactory containers,
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
            var agent = await ProvisioningClaims.NextAgentAsync(db, onlyTenants, cancellationToken);
            if (agent is null)
            {
                break;
            }

            var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == agent.TenantId, cancellationToken);
            string? containerId = null;
            try
            {
                var key = RuntimeKeys.Mint(agent.TenantId, agent.Id, clock.GetUtcNow());
                containerId = await containers.CreateAsync(agent, tenant, key, cancellationToken);

                var now = clock.GetUtcNow();
                db.ApiKeys.Add(key.Row);
                agent.ContainerId = containerId;
                agent.Status = AgentStatus.Active;
                agent.UpdatedAt = now;
                await db.SaveChangesAsync(cancellationToken);
                await alerts.ResolveAsync(db, [AlertRules.ContainerCreateFailedFingerprint(agent.Id)], cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                provisioned++;
                logger.LogInformation("Agent {AgentId} of tenant {TenantId} runs in container {ContainerId}", agent.Id, agent.TenantId, containerId);
            }
            catch (Exception ex) when (DockerConnection.IsUnreachable(ex, cancellationToken))
            {
                logger.LogWarning(ex, "Docker unreachable while provisioning agent {AgentId}; retried next pass", agent.Id);
                await containers.RemoveQuietlyAsync(containerId);
                break;
            }
            catch (Exception ex) when (ex is DockerApiException)
            {
                logger.LogError(ex, "Creating the container of agent {AgentId} failed", agent.Id);
                await containers.RemoveQuietlyAsync(containerId);
                agent.ContainerId = null;
                agent.Status = AgentStatus.Error;
                agent.UpdatedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
                await alerts.OpenAsync(db, new AlertDraft(
                    agent.TenantId, agent.Id, null, AlertRules.ContainerCreateFailed, AlertSeverity.Critical,
                    $"The container of agent {agent.Name} could not be created",
                    $"Agent {agent.Id} (image {options.AgentImage}): {DockerConnection.ErrorText(ex)}",
                    AlertRules.ContainerCreateFailedFingerprint(agent.Id)), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                failed++;
            }
            catch
            {
                // The database side failed: the row stays in provisioning and the container goes.
                await containers.RemoveQuietlyAsync(containerId);
                throw;
            }
        }

        return (provisioned, failed);
    }
}
