namespace Platform.Runtime;

public enum RuntimeBackend
{
    /// <summary>No runtime is configured: nothing is provisioned, and the hosts report Degraded.</summary>
    None,

    /// <summary>A Docker engine: one container per agent.</summary>
    Engine,

    /// <summary>A Docker Swarm: one replicated service per agent (replicas 1, or 0 while hibernated).</summary>
    Swarm,
}

/// <summary>What a workload is made of: the agent it runs, its environment and the tenant's plan limits.</summary>
public sealed record AgentWorkloadSpec(Guid AgentId, Guid TenantId, IReadOnlyDictionary<string, string> Environment, decimal Cpu, int MemoryMb)
{
    public long MemoryBytes => MemoryMb * 1024L * 1024L;

    public long NanoCpus => (long)(Cpu * 1_000_000_000m);

    // The environment carries the agent's key: keep it out of logs and exception messages.
    public override string ToString() => $"AgentWorkloadSpec {{ AgentId = {AgentId}, TenantId = {TenantId}, Cpu = {Cpu}, MemoryMb = {MemoryMb} }}";
}

/// <summary>A workload as listed: its id, the agent and tenant on its labels, and its state.</summary>
public sealed record AgentWorkload(string Id, Guid AgentId, Guid TenantId, WorkloadState State, DateTimeOffset CreatedAt);

/// <summary>Where a workload stands, the same words for both backends.</summary>
public enum WorkloadState
{
    /// <summary>Created or scheduled, not running yet (engine: created; swarm: a task being prepared or started).</summary>
    Starting,

    Running,

    /// <summary>Frozen in memory (engine: paused).</summary>
    Frozen,

    Restarting,

    /// <summary>Not running, not by the platform's choice (engine: exited or dead; swarm: the task failed or was rejected).</summary>
    Exited,

    /// <summary>Deliberately holding no process (swarm: scaled to 0). An engine reports a stopped container as <see cref="Exited"/>.</summary>
    Stopped,

    Removing,

    Unknown,
}

/// <summary>What one observation of a workload saw.</summary>
/// <param name="Health">The workload's health check status (starting, healthy, unhealthy), or null without one.</param>
/// <param name="ExitCode">The last exit code, when <paramref name="State"/> is <see cref="WorkloadState.Exited"/>.</param>
/// <param name="RestartCount">How often the runtime restarted it (engine: restart count; swarm: failed tasks).</param>
/// <param name="CpuPercent">CPU use since the previous observation, as <c>docker stats</c> shows it; 0 when unknown.</param>
public sealed record WorkloadObservation(
    string WorkloadId,
    Guid AgentId,
    Guid TenantId,
    WorkloadState State,
    string? Health,
    long ExitCode,
    bool OomKilled,
    int RestartCount,
    DateTimeOffset CreatedAt,
    double CpuPercent,
    double MemoryMb,
    double? MemoryLimitMb,
    DateTimeOffset ObservedAt);

/// <summary>What answers at a runtime's endpoint.</summary>
public sealed record RuntimeInfo(RuntimeBackend Backend, string Version, string ApiVersion, string Description);
