using Docker.DotNet;
using Microsoft.Extensions.Logging;
using Platform.Runtime.Docker;

namespace Platform.Runtime.Swarm;

/// <summary>
/// Agents on a Docker Swarm, through a manager's API: one replicated service per agent
/// (<see cref="RuntimeLabels.WorkloadName"/>, replicas 1, or 0 while hibernated), whose id is the workload id.
/// <para>
/// Hibernation: a manager cannot pause a task, so <see cref="CanFreeze"/> is false and both stages scale the service
/// to 0. Each stage frees the agent's memory and CPU on its node (the task's container is stopped and removed); the
/// service itself (spec, labels, environment, the agent's key) stays with the manager, so waking is a new task from
/// the same spec: a cold start of the image (no pull on a node that has it), never a resume of the old process.
/// </para>
/// <para>
/// A node that is not a swarm manager (a plain engine, a worker node, a manager that lost its quorum) answers every
/// call with 503: that is a <see cref="RuntimeUnavailableException"/>, as from <see cref="DescribeAsync"/>, since no
/// call of this backend can succeed there.
/// </para>
/// </summary>
public sealed class SwarmRuntime : IAgentRuntime, IDisposable
{
    private readonly DockerClient _client;
    private readonly SwarmManager _manager;
    private readonly SwarmServices _services;
    private readonly SwarmObserver _observer;
    private readonly SwarmNetworks _networks;
    private readonly SwarmLogs _logs;

    public SwarmRuntime(RuntimeOptions options, ILogger<SwarmRuntime> logger)
    {
        _client = DockerClients.Create(options, logger);
        _manager = new SwarmManager(_client, options);
        _networks = new SwarmNetworks(_manager);
        _services = new SwarmServices(_manager, _networks, new SwarmTaskWaiter(_manager), logger);
        _observer = new SwarmObserver(_manager, logger);
        _logs = new SwarmLogs(_manager);
    }

    public RuntimeBackend Backend => RuntimeBackend.Swarm;

    public string Endpoint => _manager.Endpoint;

    public bool CanFreeze => false;

    /// <summary>The manager's engine version and the swarm's size; a node that is not a manager is unavailable.</summary>
    public async Task<RuntimeInfo> DescribeAsync(CancellationToken cancellationToken)
    {
        var version = await _manager.CallAsync(() => _client.System.GetVersionAsync(cancellationToken), cancellationToken);
        var info = await _manager.CallAsync(() => _client.System.GetSystemInfoAsync(cancellationToken), cancellationToken);
        var swarm = info.Swarm;
        if (swarm is null || swarm.LocalNodeState != "active" || !swarm.ControlAvailable)
        {
            var state = swarm is null ? "no swarm" : swarm.LocalNodeState is { Length: > 0 } local ? $"swarm {local}" : "swarm inactive";
            var role = swarm is { LocalNodeState: "active", ControlAvailable: false } ? ", a worker node" : "";
            throw new RuntimeUnavailableException(
                $"The Docker engine at {Endpoint} ({version.Version}) answers but is not a swarm manager ({state}{role}): Runtime:Backend=swarm needs a manager's endpoint.");
        }

        return new RuntimeInfo(RuntimeBackend.Swarm, version.Version, version.APIVersion,
            $"Docker Swarm manager {swarm.NodeID} ({swarm.Nodes ?? 0} nodes, {swarm.Managers ?? 0} managers)");
    }

    public Task<string> CreateAsync(AgentWorkloadSpec spec, CancellationToken cancellationToken) =>
        _services.CreateAsync(spec, cancellationToken);

    public Task<string> RecreateAsync(string workloadId, AgentWorkloadSpec spec, CancellationToken cancellationToken) =>
        _services.RecreateAsync(workloadId, spec, cancellationToken);

    /// <summary>
    /// Services of this scope with their state: from the replica counts the manager lists with them, and, for
    /// services whose replica does not run, from their tasks (one more call for all of them).
    /// </summary>
    public async Task<IReadOnlyList<AgentWorkload>> ListAsync(CancellationToken cancellationToken)
    {
        var services = (await _manager.ListServicesAsync(cancellationToken))
            .Select(s => (Service: s, Replicas: s.Spec?.Mode?.Replicated?.Replicas ?? 0))
            .ToList();
        var unsettled = services
            .Where(s => s.Replicas > 0 && !(s.Service.ServiceStatus is { } status && status.RunningTasks >= s.Replicas))
            .Select(s => s.Service.ID)
            .ToList();
        var tasks = (await _manager.TasksAsync(unsettled, cancellationToken)).ToLookup(t => t.ServiceID!);

        var workloads = new List<AgentWorkload>(services.Count);
        foreach (var (service, replicas) in services)
        {
            if (!SwarmManager.TryLabel(service.Spec?.Labels, RuntimeLabels.AgentId, out var agentId)
                || !SwarmManager.TryLabel(service.Spec?.Labels, RuntimeLabels.TenantId, out var tenantId))
            {
                continue;
            }

            var state = replicas == 0 ? WorkloadState.Stopped
                : unsettled.Contains(service.ID) ? SwarmTaskStates.Derive(replicas, [.. tasks[service.ID]])
                : WorkloadState.Running;
            workloads.Add(new AgentWorkload(service.ID, agentId, tenantId, state, SwarmManager.ToUtc(service.CreatedAt)));
        }

        return workloads;
    }

    /// <inheritdoc cref="SwarmObserver"/>
    public Task<IReadOnlyList<WorkloadObservation>> ObserveAsync(
        IReadOnlyCollection<AgentWorkload> workloads, DateTimeOffset now, CancellationToken cancellationToken) =>
        _observer.ObserveAsync(workloads, now, cancellationToken);

    /// <summary>Scales the service to 0, as <see cref="StopAsync"/> does: a swarm cannot freeze a task.</summary>
    public Task FreezeAsync(string workloadId, CancellationToken cancellationToken) =>
        _services.ScaleToZeroAsync(workloadId, cancellationToken);

    public Task StopAsync(string workloadId, CancellationToken cancellationToken) =>
        _services.ScaleToZeroAsync(workloadId, cancellationToken);

    public Task WakeAsync(string workloadId, CancellationToken cancellationToken) =>
        _services.WakeAsync(workloadId, cancellationToken);

    public Task<bool> RemoveAsync(string workloadId, CancellationToken cancellationToken) =>
        _services.RemoveAsync(workloadId, cancellationToken);

    /// <inheritdoc cref="SwarmLogs"/>
    public IAsyncEnumerable<LogLine> ReadLogsAsync(string workloadId, LogQuery query, CancellationToken cancellationToken) =>
        _logs.ReadAsync(workloadId, query, cancellationToken);

    /// <inheritdoc cref="SwarmNetworks"/>
    public Task EnsureTenantNetworkAsync(Guid tenantId, CancellationToken cancellationToken) =>
        _networks.EnsureAsync(tenantId, cancellationToken);

    public Task<IReadOnlyList<Guid>> ListTenantNetworksAsync(CancellationToken cancellationToken) =>
        _networks.ListAsync(cancellationToken);

    public Task<bool> RemoveTenantNetworkAsync(Guid tenantId, CancellationToken cancellationToken) =>
        _networks.RemoveAsync(tenantId, cancellationToken);

    public void Dispose() => _client.Dispose();
}
