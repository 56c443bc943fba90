using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Metrics;

public sealed record MetricPoint(
    DateTimeOffset PeriodStart, int PeriodMinutes, int TasksCompleted, int Messages, long TokensIn, long TokensOut,
    int Errors, double? AvgResponseMs, decimal CostUsd);

public sealed record PostMetricRequest(
    [property: Required] DateTimeOffset? PeriodStart,
    [property: Required, Range(1, 1440)] int? PeriodMinutes,
    [property: Range(0, int.MaxValue)] int TasksCompleted = 0,
    [property: Range(0, int.MaxValue)] int Messages = 0,
    [property: Range(0, long.MaxValue)] long TokensIn = 0,
    [property: Range(0, long.MaxValue)] long TokensOut = 0,
    [property: Range(0, int.MaxValue)] int Errors = 0,
    [property: Range(0, 86_400_000)] double? AvgResponseMs = null,
    [property: Range(typeof(decimal), "0", "99999999")] decimal CostUsd = 0);

public sealed record MetricSeries(Guid AgentId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<MetricPoint> Points);

public sealed record MetricSummary(
    DateTimeOffset From, DateTimeOffset To, int Agents, long TasksCompleted, long Messages, long TokensIn, long TokensOut,
    long Errors, double? AvgResponseMs, decimal CostUsd);
