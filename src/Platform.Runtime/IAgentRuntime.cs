namespace Platform.Runtime;

/// <summary>
/// The place agents run: one workload per agent (a container on a Docker engine, a replicated service on a Docker
/// Swarm), labelled with its agent, tenant and the installation's scope. Every method touches only workloads and
/// networks of this scope. A runtime that does not answer throws <see cref="RuntimeUnavailableException"/>; one that
/// answers with an error throws <see cref="RuntimeOperationException"/>.
/// </summary>
public interface IAgentRuntime
{
    RuntimeBackend Backend { get; }

    /// <summary>Where the runtime is, for messages and /health (never with credentials).</summary>
    string Endpoint { get; }

    /// <summary>
    /// Whether <see cref="FreezeAsync"/> keeps a workload in memory, ready to resume at once (an engine's pause). A swarm
    /// cannot freeze a task through its manager: there, freezing scales the service to 0, as stopping does.
    /// </summary>
    bool CanFreeze { get; }

    /// <summary>What answers at the endpoint (version, API version, swarm or not); throws when nothing answers.</summary>
    Task<RuntimeInfo> DescribeAsync(CancellationToken cancellationToken);

    /// <summary>Creates and starts the agent's workload, replacing any leftover of the same agent; returns its id.</summary>
    Task<string> CreateAsync(AgentWorkloadSpec spec, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the workload with a fresh one from <paramref name="spec"/> (new environment, e.g. a rotated key) and
    /// starts it: what a restart does. Returns the id, which may differ from <paramref name="workloadId"/>.
    /// </summary>
    Task<string> RecreateAsync(string workloadId, AgentWorkloadSpec spec, CancellationToken cancellationToken);

    /// <summary>Every workload of this scope, in any state (cheap: no per-workload calls).</summary>
    Task<IReadOnlyList<AgentWorkload>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// State, health, restarts and a CPU/memory sample of each workload, with bounded parallelism. A workload that
    /// vanished since it was listed is left out.
    /// </summary>
    Task<IReadOnlyList<WorkloadObservation>> ObserveAsync(
        IReadOnlyCollection<AgentWorkload> workloads, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>First hibernation stage: frozen in memory where <see cref="CanFreeze"/>, else scaled to 0. Idempotent.</summary>
    Task FreezeAsync(string workloadId, CancellationToken cancellationToken);

    /// <summary>Second hibernation stage: stopped, holding no memory. Idempotent.</summary>
    Task StopAsync(string workloadId, CancellationToken cancellationToken);

    /// <summary>Running again from either stage (no-op when it runs); returns when the runtime reports it running.</summary>
    Task WakeAsync(string workloadId, CancellationToken cancellationToken);

    /// <summary>Removes the workload; false when it was not there.</summary>
    Task<bool> RemoveAsync(string workloadId, CancellationToken cancellationToken);

    /// <summary>
    /// The workload's log lines, oldest first: the last <see cref="LogQuery.Tail"/> lines (since
    /// <see cref="LogQuery.Since"/>), then, with <see cref="LogQuery.Follow"/>, new lines until the workload stops or
    /// <paramref name="cancellationToken"/> ends the read (which releases the runtime's stream at once).
    /// </summary>
    IAsyncEnumerable<LogLine> ReadLogsAsync(string workloadId, LogQuery query, CancellationToken cancellationToken);

    /// <summary>Creates the tenant's network (<see cref="RuntimeLabels.TenantNetwork"/>) when it is missing.</summary>
    Task EnsureTenantNetworkAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>The tenants that have a network of this scope.</summary>
    Task<IReadOnlyList<Guid>> ListTenantNetworksAsync(CancellationToken cancellationToken);

    /// <summary>Removes the tenant's network; false when it was not there.</summary>
    Task<bool> RemoveTenantNetworkAsync(Guid tenantId, CancellationToken cancellationToken);
}
