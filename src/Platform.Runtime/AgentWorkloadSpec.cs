namespace Platform.Runtime;

/// <summary>What a workload is made of: the agent it runs, its environment and the tenant's plan limits.</summary>
public sealed record AgentWorkloadSpec(Guid AgentId, Guid TenantId, IReadOnlyDictionary<string, string> Environment, decimal Cpu, int MemoryMb)
{
    public long MemoryBytes => MemoryMb * 1024L * 1024L;

    public long NanoCpus => (long)(Cpu * 1_000_000_000m);

    // The environment carries the agent's key: keep it out of logs and exception messages.
    public override string ToString() => $"AgentWorkloadSpec {{ AgentId = {AgentId}, TenantId = {TenantId}, Cpu = {Cpu}, MemoryMb = {MemoryMb} }}";
}
