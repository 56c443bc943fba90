using System.Globalization;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Tenancy;

namespace Platform.Worker.Containers;

/// <summary>The outcome of one provisioning pass.</summary>
public sealed record ProvisionResult(
    int TenantsActivated,
    int TenantsFailed,
    int AgentsProvisioned,
    int AgentsFailed,
    int ContainersPaused,
    int ContainersResumed,
    int ContainersRemoved);

/// <summary>
/// Every <c>Docker:ProvisionIntervalSeconds</c>:
/// <list type="number">
/// <item>tenants in <c>provisioning</c> → <c>active</c> (with a network <c>platform-tenant-{id}</c> first when
/// <c>Docker:NetworkPerTenant</c>), or <c>failed</c> with a <c>tenant_provisioning_failed</c> alert;</item>
/// <item>agents in <c>provisioning</c> (of active tenants) get a container from <c>Docker:AgentImage</c>, with
/// labels, environment (an API key minted for them), the tenant's CPU/memory limits, network and health
/// check, and move to <c>active</c>; or to <c>error</c> with a <c>container_create_failed</c> alert;</item>
/// <item>containers follow their agent: paused ↔ running; containers without an agent row are force-removed.</item>
/// </list>
/// Tenants and agents are claimed one by one with <c>FOR UPDATE SKIP LOCKED</c>, so two workers never
/// provision the same row; an unreachable engine leaves them in <c>provisioning</c> for the next pass.
/// </summary>
public sealed class ContainerProvisioner(
    DockerConnection docker,
    DbContextOptions<PlatformDbContext> dbOptions,
    AlertStore alerts,
    ILogger<ContainerProvisioner> logger,
    TimeProvider clock) : BackgroundService
{
    private int _passes;

    /// <summary>
    /// Restricts the passes to these tenants (their tenant row, agents and containers). For tests that share
    /// one database; null (the default) handles every tenant.
    /// </summary>
    public IReadOnlyCollection<Guid>? OnlyTenants { get; init; }

    public int Passes => Volatile.Read(ref _passes);

    private DockerOptions Options => docker.Options;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (!Options.Enabled)
        {
            logger.LogWarning("Docker is disabled (Docker:Enabled=false): tenants are activated, agent containers are not provisioned");
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var result = await RunOnceAsync(stoppingToken);
                if (result != Empty)
                {
                    logger.LogInformation("Provisioning pass: {Result}", result);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Provisioning pass failed");
            }
            finally
            {
                Interlocked.Increment(ref _passes);
            }

            try
            {
                await Task.Delay(Options.ProvisionInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private static readonly ProvisionResult Empty = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>One provisioning pass (tenants, agents, reconcile); public so tests need no timer.</summary>
    public async Task<ProvisionResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var (activated, tenantsFailed) = await ProvisionTenantsAsync(cancellationToken);
        if (!Options.Enabled)
        {
            return Empty with { TenantsActivated = activated, TenantsFailed = tenantsFailed };
        }

        var (provisioned, agentsFailed) = await ProvisionAgentsAsync(cancellationToken);
        var (paused, resumed, removed) = await ReconcileAsync(cancellationToken);
        return new ProvisionResult(activated, tenantsFailed, provisioned, agentsFailed, paused, resumed, removed);
    }

    private PlatformDbContext NewContext() => new(dbOptions, TenantContext.ForPlatform());

    private Guid[] TenantFilter => OnlyTenants?.ToArray() ?? [];

    // ---------------------------------------------------------------- tenants

    private async Task<(int Activated, int Failed)> ProvisionTenantsAsync(CancellationToken cancellationToken)
    {
        int activated = 0, failed = 0;
        var filter = TenantFilter;
        for (var i = 0; i < Options.ProvisionBatchSize; i++)
        {
            await using var db = NewContext();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var tenant = (await db.Tenants.FromSql(
                    $"""
                    SELECT * FROM tenants
                    WHERE status = 'provisioning' AND (cardinality({filter}) = 0 OR id = ANY({filter}))
                    ORDER BY created_at, id
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED
                    """).ToListAsync(cancellationToken))
                .SingleOrDefault();
            if (tenant is null)
            {
                break;
            }

            try
            {
                if (Options.Enabled && Options.NetworkPerTenant)
                {
                    await EnsureTenantNetworkAsync(tenant.Id, cancellationToken);
                }

                tenant.Status = TenantStatus.Active;
                tenant.UpdatedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                activated++;
                logger.LogInformation("Tenant {TenantId} provisioned", tenant.Id);
            }
            catch (Exception ex) when (DockerConnection.IsUnreachable(ex, cancellationToken))
            {
                logger.LogWarning(ex, "Docker unreachable while provisioning tenant {TenantId}; retried next pass", tenant.Id);
                break;
            }
            catch (Exception ex) when (ex is DockerApiException)
            {
                logger.LogError(ex, "Provisioning tenant {TenantId} failed", tenant.Id);
                tenant.Status = TenantStatus.Failed;
                tenant.UpdatedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
                await alerts.OpenAsync(db, new AlertDraft(
                    tenant.Id, null, null, AlertRules.TenantProvisioningFailed, AlertSeverity.Critical,
                    $"Provisioning of tenant {tenant.CompanyName} failed",
                    $"Tenant {tenant.Id} could not be provisioned: {ex.Message}",
                    AlertRules.TenantProvisioningFailedFingerprint(tenant.Id)), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                failed++;
            }
        }

        return (activated, failed);
    }

    private async Task EnsureTenantNetworkAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var name = ContainerLabels.TenantNetwork(tenantId);
        var existing = await docker.Client.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [name] = true } },
        }, cancellationToken);
        if (existing.Any(n => n.Name == name))
        {
            return;
        }

        await docker.Client.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = name,
            Driver = "bridge",
            CheckDuplicate = true,
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.TenantId] = tenantId.ToString(),
                [ContainerLabels.Scope] = Options.Scope,
            },
        }, cancellationToken);
        logger.LogInformation("Created network {Network}", name);
    }

    // ---------------------------------------------------------------- agents

    private async Task<(int Provisioned, int Failed)> ProvisionAgentsAsync(CancellationToken cancellationToken)
    {
        int provisioned = 0, failed = 0;
        var filter = TenantFilter;
        for (var i = 0; i < Options.ProvisionBatchSize; i++)
        {
            await using var db = NewContext();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var agent = (await db.Agents.FromSql(
                    $"""
                    SELECT a.* FROM agents AS a
                    JOIN tenants AS t ON t.id = a.tenant_id
                    WHERE a.status = 'provisioning' AND t.status = 'active'
                      AND (cardinality({filter}) = 0 OR a.tenant_id = ANY({filter}))
                    ORDER BY a.created_at, a.id
                    LIMIT 1
                    FOR UPDATE OF a SKIP LOCKED
                    """).ToListAsync(cancellationToken))
                .SingleOrDefault();
            if (agent is null)
            {
                break;
            }

            var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == agent.TenantId, cancellationToken);
            string? containerId = null;
            try
            {
                var key = AgentApiKey.Create();
                containerId = await CreateContainerAsync(agent, tenant, key, cancellationToken);

                var now = clock.GetUtcNow();
                db.ApiKeys.Add(new ApiKey
                {
                    TenantId = agent.TenantId,
                    Name = AgentApiKey.KeyName(agent.Name),
                    Prefix = key.Prefix,
                    KeyHash = key.KeyHash,
                    Scopes = [.. AgentApiKey.Scopes],
                    CreatedAt = now,
                });
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
                await RemoveQuietlyAsync(containerId);
                break;
            }
            catch (Exception ex) when (ex is DockerApiException)
            {
                logger.LogError(ex, "Creating the container of agent {AgentId} failed", agent.Id);
                await RemoveQuietlyAsync(containerId);
                agent.ContainerId = null;
                agent.Status = AgentStatus.Error;
                agent.UpdatedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
                await alerts.OpenAsync(db, new AlertDraft(
                    agent.TenantId, agent.Id, null, AlertRules.ContainerCreateFailed, AlertSeverity.Critical,
                    $"The container of agent {agent.Name} could not be created",
                    $"Agent {agent.Id} (image {Options.AgentImage}): {DockerError(ex)}",
                    AlertRules.ContainerCreateFailedFingerprint(agent.Id)), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                failed++;
            }
            catch
            {
                // The database side failed: the row stays in provisioning and the container goes.
                await RemoveQuietlyAsync(containerId);
                throw;
            }
        }

        return (provisioned, failed);
    }

    private async Task<string> CreateContainerAsync(Agent agent, Tenant tenant, AgentApiKey key, CancellationToken cancellationToken)
    {
        // A container left by an earlier attempt that never committed (its key was rolled back) goes first.
        var name = ContainerLabels.ContainerName(agent.Id);
        await docker.ForceRemoveAsync(name, cancellationToken);

        var limits = ContainerLimits.For(tenant);
        var parameters = new CreateContainerParameters
        {
            Name = name,
            Image = Options.AgentImage,
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.AgentId] = agent.Id.ToString(),
                [ContainerLabels.TenantId] = agent.TenantId.ToString(),
                [ContainerLabels.Scope] = Options.Scope,
            },
            Env =
            [
                $"PLATFORM_AGENT_ID={agent.Id}",
                $"PLATFORM_TENANT_ID={agent.TenantId}",
                $"PLATFORM_API_URL={Options.ApiBaseUrl ?? string.Empty}",
                $"PLATFORM_API_KEY={key.Key}",
            ],
            Healthcheck = HealthCheck(),
            HostConfig = new HostConfig
            {
                Memory = limits.MemoryBytes,
                MemorySwap = limits.MemoryBytes,
                NanoCPUs = limits.NanoCpus,
                NetworkMode = Options.NetworkPerTenant ? ContainerLabels.TenantNetwork(agent.TenantId) : Options.NetworkMode,
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind() },
            },
        };

        var created = await docker.Client.Containers.CreateContainerAsync(parameters, cancellationToken);
        try
        {
            await docker.Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
        }
        catch
        {
            await RemoveQuietlyAsync(created.ID);
            throw;
        }

        return created.ID;
    }

    private HealthConfig? HealthCheck() => Options.HealthCheck is { Length: > 0 } test
        ? new HealthConfig
        {
            Test = [.. test],
            Interval = TimeSpan.FromSeconds(Options.HealthCheckIntervalSeconds),
            Timeout = TimeSpan.FromSeconds(Options.HealthCheckTimeoutSeconds),
            Retries = Options.HealthCheckRetries,
        }
        : null;

    private Docker.DotNet.Models.RestartPolicyKind RestartPolicyKind() => Options.RestartPolicy switch
    {
        "no" => Docker.DotNet.Models.RestartPolicyKind.No,
        "always" => Docker.DotNet.Models.RestartPolicyKind.Always,
        "on-failure" => Docker.DotNet.Models.RestartPolicyKind.OnFailure,
        _ => Docker.DotNet.Models.RestartPolicyKind.UnlessStopped,
    };

    private async Task RemoveQuietlyAsync(string? containerId)
    {
        if (containerId is null)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Options.RequestTimeoutSeconds));
            await docker.ForceRemoveAsync(containerId, timeout.Token);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not remove container {ContainerId}", containerId);
        }
    }

    private static string DockerError(Exception ex) =>
        ex is DockerApiException api && !string.IsNullOrWhiteSpace(api.ResponseBody)
            ? $"{(int)api.StatusCode} {api.ResponseBody.Trim()}"
            : ex.Message;

    // ---------------------------------------------------------------- reconcile

    /// <summary>Containers follow their agent rows: paused ↔ running, and no row → removed.</summary>
    private async Task<(int Paused, int Resumed, int Removed)> ReconcileAsync(CancellationToken cancellationToken)
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
        if (OnlyTenants is { } only)
        {
            labelled = labelled.Where(c => c.TenantId is { } t && only.Contains(t)).ToList();
        }

        var ids = labelled.Select(c => c.AgentId!.Value).Distinct().ToArray();
        await using var db = NewContext();
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
                logger.LogWarning("Reconciling container {ContainerId} of agent {AgentId}: {Error}", container.ID, agentId, DockerError(ex));
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
