using System.ComponentModel.DataAnnotations;
using Platform.Runtime;

namespace Platform.Worker.Containers;

/// <summary>
/// The worker's own settings for its loops over the agent runtime, read from the same section as
/// <see cref="RuntimeOptions"/> (<c>Runtime</c>), so an operator finds everything about the runtime in one place:
/// how often workloads are polled and provisioned, and how failed creates are retried. Validated at start.
/// </summary>
public sealed class RuntimeLoopOptions
{
    [Range(1, 3600, ErrorMessage = "Runtime:PollIntervalSeconds must be between {1} and {2}.")]
    public int PollIntervalSeconds { get; set; } = 15;

    /// <summary>Backoff cap while the runtime is unreachable (the delay doubles from the poll interval).</summary>
    [Range(1, 86400, ErrorMessage = "Runtime:MaxBackoffSeconds must be between {1} and {2}.")]
    public int MaxBackoffSeconds { get; set; } = 300;

    [Range(1, 3600, ErrorMessage = "Runtime:ProvisionIntervalSeconds must be between {1} and {2}.")]
    public int ProvisionIntervalSeconds { get; set; } = 5;

    /// <summary>Agents (and tenants) claimed per provisioning pass.</summary>
    [Range(1, 1000, ErrorMessage = "Runtime:ProvisionBatchSize must be between {1} and {2}.")]
    public int ProvisionBatchSize { get; set; } = 20;

    /// <summary>The wait after the first failed create of an agent's workload; it doubles with every failure ...</summary>
    [Range(1, 3600, ErrorMessage = "Runtime:ProvisionRetrySeconds must be between {1} and {2}.")]
    public int ProvisionRetrySeconds { get; set; } = 30;

    /// <summary>... up to this.</summary>
    [Range(1, 86400, ErrorMessage = "Runtime:ProvisionRetryMaxSeconds must be between {1} and {2}.")]
    public int ProvisionRetryMaxSeconds { get; set; } = 600;

    /// <summary>Failed creates in a row after which the agent goes to <c>error</c> with a <c>container_create_failed</c> alert (retries go on).</summary>
    [Range(1, 100, ErrorMessage = "Runtime:ProvisionAttemptsBeforeError must be between {1} and {2}.")]
    public int ProvisionAttemptsBeforeError { get; set; } = 5;

    public TimeSpan PollInterval => TimeSpan.FromSeconds(PollIntervalSeconds);

    public TimeSpan ProvisionInterval => TimeSpan.FromSeconds(ProvisionIntervalSeconds);

    /// <summary>The wait before the next create after <paramref name="failures"/> failed ones in a row.</summary>
    public TimeSpan ProvisionRetryDelay(int failures)
    {
        var first = TimeSpan.FromSeconds(ProvisionRetrySeconds);
        var max = TimeSpan.FromSeconds(ProvisionRetryMaxSeconds);
        var factor = Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(first.Ticks * factor, max.Ticks));
    }
}
