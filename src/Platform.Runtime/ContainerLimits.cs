using Platform.Data.Entities;

namespace Platform.Runtime;

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
