namespace Platform.Runtime;

/// <summary>The runtime when none is configured (<c>Runtime:Backend=none</c>): every call says so.</summary>
public sealed class NoRuntime : IAgentRuntime
{
    private const string Reason = "No agent runtime is configured (Runtime:Backend=none).";

    public RuntimeBackend Backend => RuntimeBackend.None;

    public string Endpoint => "none";

    public bool CanFreeze => false;

    public Task<RuntimeInfo> DescribeAsync(CancellationToken cancellationToken) => Unavailable<RuntimeInfo>();

    public Task<string> CreateAsync(AgentWorkloadSpec spec, CancellationToken cancellationToken) => Unavailable<string>();

    public Task<string> RecreateAsync(string workloadId, AgentWorkloadSpec spec, CancellationToken cancellationToken) => Unavailable<string>();

    public Task<IReadOnlyList<AgentWorkload>> ListAsync(CancellationToken cancellationToken) => Unavailable<IReadOnlyList<AgentWorkload>>();

    public Task<IReadOnlyList<WorkloadObservation>> ObserveAsync(
        IReadOnlyCollection<AgentWorkload> workloads, DateTimeOffset now, CancellationToken cancellationToken) =>
        Unavailable<IReadOnlyList<WorkloadObservation>>();

    public Task FreezeAsync(string workloadId, CancellationToken cancellationToken) => Unavailable<bool>();

    public Task StopAsync(string workloadId, CancellationToken cancellationToken) => Unavailable<bool>();

    public Task WakeAsync(string workloadId, CancellationToken cancellationToken) => Unavailable<bool>();

    public Task<bool> RemoveAsync(string workloadId, CancellationToken cancellationToken) => Unavailable<bool>();

    public IAsyncEnumerable<LogLine> ReadLogsAsync(string workloadId, LogQuery query, CancellationToken cancellationToken) =>
        throw new RuntimeUnavailableException(Reason);

    public Task EnsureTenantNetworkAsync(Guid tenantId, CancellationToken cancellationToken) => Unavailable<bool>();

    public Task<IReadOnlyList<Guid>> ListTenantNetworksAsync(CancellationToken cancellationToken) => Unavailable<IReadOnlyList<Guid>>();

    public Task<bool> RemoveTenantNetworkAsync(Guid tenantId, CancellationToken cancellationToken) => Unavailable<bool>();

    private static Task<T> Unavailable<T>() => Task.FromException<T>(new RuntimeUnavailableException(Reason));
}
