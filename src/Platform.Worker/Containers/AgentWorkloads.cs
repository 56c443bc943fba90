using Platform.Data.Entities;
using Platform.Runtime;

namespace Platform.Worker.Containers;

/// <summary>What an agent's workload is made of: its ids, the API it calls with its runtime key, and the tenant's limits.</summary>
internal static class AgentWorkloads
{
    public static AgentWorkloadSpec Spec(Agent agent, Tenant tenant, AgentApiKey key, RuntimeOptions options)
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
                ["PLATFORM_API_KEY"] = key.Key,
            },
            limits.Cpu,
            limits.MemoryMb);
    }
}
