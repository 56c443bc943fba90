using Microsoft.EntityFrameworkCore;
using Platform.Data;

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
public sealed class ContainerProvisioner : BackgroundService
{
    private static readonly ProvisionResult Empty = new(0, 0, 0, 0, 0, 0, 0);
    private readonly DockerConnection _docker;
    private readonly ILogger<ContainerProvisioner> _logger;
    private readonly TimeProvider _clock;
    private readonly TenantProvisioner _tenants;
    private readonly AgentProvisioner _agents;
    private readonly AgentContainerReconciler _reconciler;
    private int _passes;

    public ContainerProvisioner(
        DockerConnection docker,
        DbContextOptions<PlatformDbContext> dbOptions,
        AlertStore alerts,
        ILogger<ContainerProvisioner> logger,
        TimeProvider clock)
    {
        _docker = docker;
        _logger = logger;
        _clock = clock;
        _tenants = new TenantProvisioner(docker, dbOptions, alerts, logger, clock);
        _agents = new AgentProvisioner(docker.Options, dbOptions, new AgentContainerFactory(docker, logger), alerts, logger, clock);
        _reconciler = new AgentContainerReconciler(docker, dbOptions, logger);
    }

    /// <summary>
    /// Restricts the passes to these tenants (their tenant row, agents and containers). For tests that share
    /// one database; null (the default) handles every tenant.
    /// </summary>
    public IReadOnlyCollection<Guid>? OnlyTenants { get; init; }

    public int Passes => Volatile.Read(ref _passes);

    private DockerOptions Options => _docker.Options;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (!Options.Enabled)
        {
            _logger.LogWarning("Docker is disabled (Docker:Enabled=false): tenants are activated, agent containers are not provisioned");
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var result = await RunOnceAsync(stoppingToken);
                if (result != Empty)
                {
                    _logger.LogInformation("Provisioning pass: {Result}", result);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Provisioning pass failed");
            }
            finally
            {
                Interlocked.Increment(ref _passes);
            }

            try
            {
                await Task.Delay(Options.ProvisionInterval, _clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One provisioning pass (tenants, agents, reconcile); public so tests need no timer.</summary>
    public async Task<ProvisionResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var onlyTenants = OnlyTenants?.ToArray() ?? [];
        var (activated, tenantsFailed) = await _tenants.ProvisionAsync(onlyTenants, cancellationToken);
        if (!Options.Enabled)
        {
            return Empty with { TenantsActivated = activated, TenantsFailed = tenantsFailed };
        }

        var (provisioned, agentsFailed) = await _agents.ProvisionAsync(onlyTenants, cancellationToken);
        var (paused, resumed, removed) = await _reconciler.ReconcileAsync(OnlyTenants, cancellationToken);
        return new ProvisionResult(activated, tenantsFailed, provisioned, agentsFailed, paused, resumed, removed);
    }
}
