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
