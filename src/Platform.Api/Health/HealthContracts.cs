using Platform.Api.Http;
using Platform.Data.Entities;

namespace Platform.Api.Health;

public sealed record ContainerHealthResponse(
    string ContainerId, Guid? AgentId, Guid TenantId, HealthStatus Status, double CpuPercent, double MemoryMb, double? MemoryLimitMb,
    int RestartCount, int SampleCount, string Resolution, DateTimeOffset RecordedAt);

public sealed record HealthSeries(string ContainerId, string Resolution, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ContainerHealthResponse> Points);

public enum AlertState
{
    Open,
    Acknowledged,
    Resolved,
}

public sealed class AlertListQuery
{
    public QueryEnum<AlertSeverity>? Severity { get; init; }

    public QueryEnum<AlertState>? State { get; init; }
}

public sealed class HealthSeriesQuery
{
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    /// <summary><c>raw</c> (15 s samples, kept 24 h) or <c>hour</c> (hourly roll-ups, kept 30 days); default picks by range.</summary>
    public QueryEnum<HealthResolution>? Resolution { get; init; }
}
