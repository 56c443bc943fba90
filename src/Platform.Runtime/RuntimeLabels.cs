namespace Platform.Runtime;

/// <summary>Labels and names of agent workloads and tenant networks.</summary>
public static class RuntimeLabels
{
    public const string AgentId = "platform.agent-id";
    public const string TenantId = "platform.tenant-id";
    public const string Scope = "platform.scope";

    public static string WorkloadName(Guid agentId) => $"platform-agent-{agentId:N}";

    public static string TenantNetwork(Guid tenantId) => $"platform-tenant-{tenantId}";
}
