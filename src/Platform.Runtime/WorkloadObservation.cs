namespace Platform.Runtime;

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
