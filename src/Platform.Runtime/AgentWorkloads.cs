using Platform.Data.Entities;

namespace Platform.Runtime;

/// <summary>
/// What an agent's workload is made of, for the worker that creates it and the API that re-creates it on a restart: its
/// ids, the API it calls with its runtime key, and the tenant's CPU and memory limits.
/// </summary>
public static class AgentWorkloads
{
    public static AgentWorkloadSpec Spec(Agent agent, Tenant tenant, string runtimeKey, RuntimeOptions options)
    {
        var limits = ContainerLimits.For(tenant);
        return new AgentWorkloadSpec(
            agent.Id,
            agent.TenantId,
            new Dictionary<string, string>
            {
                ["PLATFORM_AGENT_ID"] = agent.Id.ToString(),
                ["PLATFORM_TENANT_ID"] = agent.TenantId.ToString(),
                ["PLATFORM_API_URL"] = options.ApiBaseUrl ?? string.Empty,
                ["PLATFORM_API_KEY"] = runtimeKey,
            },
            limits.Cpu,
            limits.MemoryMb);
    }
}

/// <summary>CPU and memory of one agent workload.</summary>
public sealed record ContainerLimits(decimal Cpu, int MemoryMb)
{
    public long MemoryBytes => MemoryMb * 1024L * 1024L;

    public long NanoCpus => (long)(Cpu * 1_000_000_000m);

    /// <summary>The plan's defaults, overridden by the tenant's resource_limits fields that are set.</summary>
    public static ContainerLimits For(Tenant tenant) => For(tenant.Plan, tenant.ResourceLimits);

    public static ContainerLimits For(TenantPlan plan, ResourceLimits? overrides)
    {
        var defaults = PlanDefault(plan);
        return new ContainerLimits(
            overrides?.Cpu is > 0 and var cpu ? cpu : defaults.Cpu,
            overrides?.MemoryMb is > 0 and var memory ? memory : defaults.MemoryMb);
    }

    public static ContainerLimits PlanDefault(TenantPlan plan) => plan switch
    {
        TenantPlan.Growth => new ContainerLimits(1m, 1024),
        TenantPlan.Enterprise => new ContainerLimits(2m, 2048),
        _ => new ContainerLimits(0.5m, 512),
    };
}
