namespace Platform.Runtime;

/// <summary>A workload as listed: its id, the agent and tenant on its labels, and its state.</summary>
public sealed record AgentWorkload(string Id, Guid AgentId, Guid TenantId, WorkloadState State, DateTimeOffset CreatedAt);
