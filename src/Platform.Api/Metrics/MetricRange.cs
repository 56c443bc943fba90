namespace Platform.Api.Metrics;

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
