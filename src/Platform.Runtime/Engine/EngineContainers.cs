using System.Globalization;
using Docker.DotNet.Models;

namespace Platform.Runtime.Engine;

/// <summary>What an agent container is made of (from the spec and <c>Runtime:*</c>), and how the engine's words map to the seam's.</summary>
internal static class EngineContainers
{
    public static CreateContainerParameters Parameters(AgentWorkloadSpec spec, RuntimeOptions options) => new()
    {
        Name = RuntimeLabels.WorkloadName(spec.AgentId),
        Image = options.AgentImage,
        Labels = new Dictionary<string, string>
        {
            [RuntimeLabels.AgentId] = spec.AgentId.ToString(),
            [RuntimeLabels.TenantId] = spec.TenantId.ToString(),
            [RuntimeLabels.Scope] = options.Scope,
        },
        Env = [.. spec.Environment.Select(e => $"{e.Key}={e.Value}")],
        Healthcheck = HealthCheck(options),
        HostConfig = new HostConfig
        {
            Memory = spec.MemoryBytes,
            MemorySwap = spec.MemoryBytes,
            NanoCPUs = spec.NanoCpus,
            NetworkMode = options.NetworkPerTenant ? RuntimeLabels.TenantNetwork(spec.TenantId) : options.NetworkMode,
            RestartPolicy = new RestartPolicy { Name = RestartPolicy(options.RestartPolicy) },
        },
    };

    /// <summary>Label filter of list calls: agent containers of this scope.</summary>
    public static IDictionary<string, IDictionary<string, bool>> AgentFilter(string scope) =>
        new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = new Dictionary<string, bool> { [RuntimeLabels.AgentId] = true, [$"{RuntimeLabels.Scope}={scope}"] = true },
        };

    public static WorkloadState State(string? status, bool paused = false) => paused ? WorkloadState.Frozen : status switch
    {
        "created" => WorkloadState.Starting,
        "running" => WorkloadState.Running,
        "paused" => WorkloadState.Frozen,
        "restarting" => WorkloadState.Restarting,
        "removing" => WorkloadState.Removing,
        "exited" or "dead" => WorkloadState.Exited,
        _ => WorkloadState.Unknown,
    };

    public static bool TryLabel(IDictionary<string, string>? labels, string key, out Guid value)
    {
        value = Guid.Empty;
        return labels is not null && labels.TryGetValue(key, out var text)
            && Guid.TryParse(text, CultureInfo.InvariantCulture, out value) && value != Guid.Empty;
    }

    public static DateTimeOffset ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Unspecified => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)),
        _ => new DateTimeOffset(value.ToUniversalTime()),
    };

    private static HealthcheckConfig? HealthCheck(RuntimeOptions options) => options.HealthCheck is { Length: > 0 } test
        ? new HealthcheckConfig
        {
            Test = [.. test],
            Interval = TimeSpan.FromSeconds(options.HealthCheckIntervalSeconds),
            Timeout = TimeSpan.FromSeconds(options.HealthCheckTimeoutSeconds),
            Retries = options.HealthCheckRetries,
        }
        : null;

    private static RestartPolicyKind RestartPolicy(string name) => name switch
    {
        "no" => RestartPolicyKind.No,
        "always" => RestartPolicyKind.Always,
        "on-failure" => RestartPolicyKind.OnFailure,
        _ => RestartPolicyKind.UnlessStopped,
    };
}
