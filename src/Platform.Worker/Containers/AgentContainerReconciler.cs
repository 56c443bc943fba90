using System.Globalization;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Tenancy;

namespace Platform.Worker.Containers;

/// <summary>
/// Containers follow their agent rows: paused ↔ running, and a container whose agent row is gone (or
/// that is not the agent's current container) is force-removed.
/// </summary>
internal sealed class AgentContainerReconciler(
    DockerConnection docker,
    DbContextOptions<PlatformDbContext> dbOptions,
    ILogger logger)
{
    /// <param name="onlyTenants">Only containers of these tenants; null for every tenant.</param>
    public async Task<(int Paused, int Resumed, int Removed)> ReconcileAsync(
        IReadOnlyCollection<Guid>? onlyTenants, CancellationToken cancellationToken)
    {
        IList<ContainerListResponse> containers;
        try
        {
            containers = await docker.ListAgentContainersAsync(cancellationToken);
        }
        catch (Exception ex) when (DockerConnection.IsUnreachable(ex, cancellationToken))
        {
            // The poller raises docker_unreachable; nothing to reconcile until the engine answers.
            logger.LogDebug(ex, "Docker unreachable; containers not reconciled");
            return (0, 0, 0);
        }

        if (containers.Count == 0)
        {
            return (0, 0, 0);
        }

        var labelled = containers
            .Select(c => (Container: c, AgentId: LabelGuid(c, ContainerLabels.AgentId), TenantId: LabelGuid(c, ContainerLabels.TenantId)))
            .Where(c => c.AgentId is not null)
            .ToList();
        if (onlyTenants is { } only)
        {
            labelled = labelled.Where(c => c.TenantId is { } t && only.Contains(t)).ToList();
        }

        var ids = labelled.Select(c => c.AgentId!.Value).Distinct().ToArray();
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        var agents = await db.Agents.AsNoTracking()
            .Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, a.Status, a.ContainerId })
            .ToDictionaryAsync(a => a.Id, cancellationToken);

        int paused = 0, resumed = 0, removed = 0;
        foreach (var (container, agentId, _) in labelled)
        {
            try
            {
                if (!agents.TryGetValue(agentId!.Value, out var agent))
                {
                    if (await docker.ForceRemoveAsync(container.ID, cancellationToken))
                    {
                        removed++;
                        logger.LogInformation("Removed container {ContainerId}: agent {AgentId} no longer exists", container.ID, agentId);
                    }
                }
                else if (agent.Status != AgentStatus.Provisioning && agent.ContainerId is { } current
                         && !string.Equals(current, container.ID, StringComparison.Ordinal))
                {
                    if (await docker.ForceRemoveAsync(container.ID, cancellationToken))
                    {
                        removed++;
                        logger.LogInformation("Removed container {ContainerId}: agent {AgentId} runs in {Current}", container.ID, agentId, current);
                    }
                }
                else if (agent.Status == AgentStatus.Paused && container.State == "running")
                {
                    await docker.Client.Containers.PauseContainerAsync(container.ID, cancellationToken);
                    paused++;
                    logger.LogInformation("Paused container {ContainerId} of agent {AgentId}", container.ID, agentId);
                }
                else if ((agent.Status is AgentStatus.Active or AgentStatus.Idle or AgentStatus.Error) && container.State == "paused")
                {
                    await docker.Client.Containers.UnpauseContainerAsync(container.ID, cancellationToken);
                    resumed++;
                    logger.LogInformation("Resumed container {ContainerId} of agent {AgentId}", container.ID, agentId);
                }
            }
            catch (DockerApiException ex) when (ex.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
            {
                // The container changed state meanwhile (stopped, removed): the next pass looks again.
                logger.LogWarning("Reconciling container {ContainerId} of agent {AgentId}: {Error}", container.ID, agentId, DockerConnection.ErrorText(ex));
            }
        }

        return (paused, resumed, removed);
    }

    private static Guid? LabelGuid(ContainerListResponse container, string label) =>
        container.Labels is not null && container.Labels.TryGetValue(label, out var text)
        && Guid.TryParse(text, CultureInfo.InvariantCulture, out var id) && id != Guid.Empty
            ? id
            : null;
}
