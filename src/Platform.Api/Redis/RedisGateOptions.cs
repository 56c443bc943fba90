using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Redis;

/// <summary>Section <c>Redis</c>: how long a request may wait on Redis, and how a Redis that is down is noticed and retried.</summary>
public sealed class RedisGateOptions
{
    public const string SectionName = "Redis";

    /// <summary>
    /// The most one command may take before it counts as a failure and the caller goes on without Redis. A healthy
    /// Redis on the same network answers in well under a millisecond, so this only bounds a Redis that hangs.
    /// </summary>
    [Range(1, 1000)]
    public int CommandBudgetMilliseconds { get; set; } = 50;

    /// <summary>While Redis is considered down, how often one PING checks whether it is back.</summary>
    [Range(100, 60_000)]
    public int ProbeIntervalMilliseconds { get; set; } = 1000;

    /// <summary>Connection attempts (at start and on reconnect) give up after this; the client keeps retrying in the background.</summary>
    [Range(100, 60_000)]
    public int ConnectTimeoutMilliseconds { get; set; } = 2000;

    public TimeSpan CommandBudget => TimeSpan.FromMilliseconds(CommandBudgetMilliseconds);

    public TimeSpan ProbeInterval => TimeSpan.FromMilliseconds(ProbeIntervalMilliseconds);
}
