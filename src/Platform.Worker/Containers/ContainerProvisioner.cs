using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Data;
using Platform.Runtime;

namespace Platform.Worker.Containers;

/// <summary>The outcome of one provisioning pass.</summary>
public sealed record ProvisionResult(
    int TenantsActivated,
    int TenantsFailed,
    int AgentsProvisioned,
    int AgentsFailed,
    int ContainersPaused,
    int ContainersResumed,
    int ContainersRemoved,
    int WorkloadsRestored = 0,
    int NetworksRemoved = 0);

/// <summary>
/// Every <c>Runtime:ProvisionIntervalSeconds</c>:
/// <list type="number">
/// <item>tenants in <c>provisioning</c> → <c>active</c> (with a network <c>platform-tenant-{id}</c> first when
/// <c>Runtime:NetworkPerTenant</c>), or <c>failed</c> with a <c>tenant_provisioning_failed</c> alert;</item>
/// <item>agents that need a workload get one from the runtime (<see cref="AgentProvisioner"/>: an API key minted for
/// them, the tenant's limits; retried with back-off, <c>error</c> with one alert after repeated failures);</item>
/// <item>workloads follow their agent (frozen ↔ running; removed without an agent row), agents whose workload vanished
/// are provisioned again, and networks of deleted tenants are removed.</item>
/// </list>
/// Tenants and agents are claimed one by one with <c>FOR UPDATE SKIP LOCKED</c>, so two workers never provision the
/// same row; an unreachable runtime leaves them for the next pass. Nothing outside this scope's label is touched.
/// </summary>
public sealed class ContainerProvisioner : BackgroundService
{
    private static readonly ProvisionResult Empty = new(0, 0, 0, 0, 0, 0, 0);
    private readonly IAgentRuntime _runtime;
    private readonly RuntimeLoopOptions _options;
    private readonly ILogger<ContainerProvisioner> _logger;
    private readonly TimeProvider _clock;
    private readonly TenantProvisioner _tenants;
    private readonly AgentProvisioner _agents;
    private readonly AgentContainerReconciler _reconciler;
    private readonly WorkloadRestorer _restorer;
    private readonly TenantNetworkReconciler _networks;
    private int _passes;

    public ContainerProvisioner(
        IAgentRuntime runtime,
        IOptions<RuntimeOptions> runtimeOptions,
        IOptions<RuntimeLoopOptions> options,
        DbContextOptions<PlatformDbContext> dbOptions,
        AlertStore alerts,
        ILogger<ContainerProvisioner> logger,
        TimeProvider clock)
    {
        _runtime = runtime;
        _options = options.Value;
        _logger = logger;
        _clock = clock;
        _tenants = new TenantProvisioner(runtime, runtimeOptions.Value, _options, dbOptions, alerts, logger, clock);
        _agents = new AgentProvisioner(runtime, runtimeOptions.Value, _options, dbOptions, alerts, logger, clock);
        _reconciler = new AgentContainerReconciler(runtime, dbOptions, logger);
        _restorer = new WorkloadRestorer(runtime, dbOptions, logger, clock);
        _networks = new TenantNetworkReconciler(runtime, dbOptions, logger);
    }

    /// <summary>
    /// Restricts the passes to these tenants (their tenant row, agents and workloads). For tests that share
    /// one database; null (the default) handles every tenant.
    /// </summary>
    public IReadOnlyCollection<Guid>? OnlyTenants { get; init; }

    public int Passes => Volatile.Read(ref _passes);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (_runtime.Backend == RuntimeBackend.None)
        {
            _logger.LogWarning("No agent runtime is configured (Runtime:Backend=none): tenants are activated, agent workloads are not provisioned");
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
                await Task.Delay(_options.ProvisionInterval, _clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One provisioning pass (tenants, agents, reconcile, restore, networks); public so tests need no timer.</summary>
    public async Task<ProvisionResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var onlyTenants = OnlyTenants?.ToArray() ?? [];
        var (activated, tenantsFailed) = await _tenants.ProvisionAsync(onlyTenants, cancellationToken);
        if (_runtime.Backend == RuntimeBackend.None)
        {
            return Empty with { TenantsActivated = activated, TenantsFailed = tenantsFailed };
        }

        var (provisioned, agentsFailed) = await _agents.ProvisionAsync(onlyTenants, cancellationToken);
        var (paused, resumed, removed) = await _reconciler.ReconcileAsync(OnlyTenants, cancellationToken);
        int restored = 0, networksRemoved = 0;
        if (_reconciler.Listed is { } listed)
        {
            try
            {
                restored = await _restorer.RestoreAsync(listed, onlyTenants, cancellationToken);
                networksRemoved = await _networks.RemoveOrphansAsync(onlyTenants, cancellationToken);
            }
            catch (RuntimeUnavailableException ex)
            {
                _logger.LogDebug(ex, "Agent runtime unreachable; vanished workloads and orphaned networks are looked at next pass");
            }
        }

        return new ProvisionResult(activated, tenantsFailed, provisioned, agentsFailed, paused, resumed, removed, restored, networksRemoved);
    }
}
