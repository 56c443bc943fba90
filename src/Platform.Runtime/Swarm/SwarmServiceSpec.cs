using Docker.DotNet.Models;

namespace Platform.Runtime.Swarm;

/// <summary>The service spec of an agent: one replica of <c>Runtime:AgentImage</c>, labelled, limited and networked.</summary>
internal static class SwarmServiceSpec
{
    /// <summary>
    /// Swarm's own default, spelled out: a task that ends for any reason is replaced, and, unlike condition
    /// <c>none</c>, a service scaled from 0 back to 1 gets a new task. <c>Runtime:RestartPolicy</c> is the engine's.
    /// </summary>
    public const string RestartCondition = "any";

    public static ServiceSpec Build(AgentWorkloadSpec spec, RuntimeOptions options, ulong forceUpdate)
    {
        var labels = Labels(spec, options);
        return new ServiceSpec
        {
            Name = RuntimeLabels.WorkloadName(spec.AgentId),
            Labels = labels,
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = options.AgentImage,
                    Labels = new Dictionary<string, string>(labels),
                    Env = [.. spec.Environment.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}")],
                    Healthcheck = HealthCheck(options),
                    StopGracePeriod = TimeSpan.FromSeconds(options.StopGracePeriodSeconds),
                },

                // Limits only: a reservation would make the scheduler refuse agents once the plans' maxima add up to a
                // node's memory, although idle agents use a fraction of them and hibernated ones (0 replicas) none.
                Resources = new ResourceRequirements
                {
                    Limits = new SwarmLimit
                    {
                        NanoCPUs = spec.NanoCpus > 0 ? spec.NanoCpus : null,
                        MemoryBytes = spec.MemoryBytes > 0 ? spec.MemoryBytes : null,
                    },
                },
                RestartPolicy = new SwarmRestartPolicy { Condition = RestartCondition },
                Networks = Network(spec.TenantId, options) is { } network ? [new NetworkAttachmentConfig { Target = network }] : null,
                ForceUpdate = forceUpdate,
            },

            // A new spec (a restart with a rotated key) stops the old task before the new one starts, and a new task
            // that fails never pauses or rolls back the service to the old spec (and the old key).
            UpdateConfig = new SwarmUpdateConfig { Parallelism = 1, Order = "stop-first", FailureAction = "continue" },
        };
    }

    /// <summary>
    /// The network the agent's task joins: its tenant's overlay network, or <c>Runtime:NetworkMode</c>; none for
    /// <c>none</c>, which a manager refuses as a service network. A task without one runs in its node's default
    /// network mode (the engine's default bridge, or only a loopback interface on an engine run with
    /// <c>--bridge=none</c>).
    /// </summary>
    public static string? Network(Guid tenantId, RuntimeOptions options) =>
        options.NetworkPerTenant ? RuntimeLabels.TenantNetwork(tenantId)
        : string.Equals(options.NetworkMode, "none", StringComparison.OrdinalIgnoreCase) ? null
        : options.NetworkMode;

    private static Dictionary<string, string> Labels(AgentWorkloadSpec spec, RuntimeOptions options) => new()
    {
        [RuntimeLabels.AgentId] = spec.AgentId.ToString(),
        [RuntimeLabels.TenantId] = spec.TenantId.ToString(),
        [RuntimeLabels.Scope] = options.Scope,
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

    /// <summary>Whether the service's tasks run a health check (and so only count as running once healthy).</summary>
    public static bool HasHealthCheck(ServiceSpec? spec) =>
        spec?.TaskTemplate?.ContainerSpec?.Healthcheck?.Test is { Count: > 0 } test && test[0] != "NONE";
}
