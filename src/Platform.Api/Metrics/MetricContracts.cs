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

public sealed class MetricRange
{
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public const int MaxDays = 92;

    /// <summary>Defaults to the last 24 hours; at most 92 days.</summary>
    public (DateTimeOffset From, DateTimeOffset To, string? Error) Resolve()
    {
        var to = (To ?? DateTimeOffset.UtcNow).ToUniversalTime();
        var from = (From ?? to.AddDays(-1)).ToUniversalTime();
        if (from >= to)
        {
            return (from, to, "from must be before to.");
        }

        return to - from > TimeSpan.FromDays(MaxDays) ? (from, to, $"The range is at most {MaxDays} days.") : (from, to, null);
    }
}
