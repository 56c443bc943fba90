using Platform.Api.Http;
using Platform.Data.Entities;

namespace Platform.Api.Containers;

/// <summary>
/// One health sample of an agent's container (or an hourly roll-up of them), as the worker's poller records it: not the
/// service's own /health endpoint.
/// </summary>
public sealed record ContainerHealthResponse(
    string ContainerId, Guid? AgentId, Guid TenantId, HealthStatus Status, double CpuPercent, double MemoryMb, double? MemoryLimitMb,
    int RestartCount, int SampleCount, string Resolution, DateTimeOffset RecordedAt);

/// <summary>A container's health samples between two times (the schema keeps its published name).</summary>
public sealed record HealthSeries(string ContainerId, string Resolution, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ContainerHealthResponse> Points);

public sealed class ContainerHealthSeriesQuery
{
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    /// <summary><c>raw</c> (15 s samples, kept 24 h) or <c>hour</c> (hourly roll-ups, kept 30 days); default picks by range.</summary>
    public QueryEnum<HealthResolution>? Resolution { get; init; }
}
