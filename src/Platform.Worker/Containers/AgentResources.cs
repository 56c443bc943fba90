using System.Security.Cryptography;
using System.Text;
using Platform.Data.Entities;

namespace Platform.Worker.Containers;

/// <summary>CPU and memory of one agent container.</summary>
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

/// <summary>The API key an agent container runs with: <c>pk_{prefix}_{secret}</c>, stored as the SHA-256 of the whole key.</summary>
public sealed record AgentApiKey(string Prefix, string Key, string KeyHash)
{
    public const int PrefixLength = 12;
    public const string PrefixAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";
    public static readonly IReadOnlyList<string> Scopes = ["activities:write", "metrics:write"];

    public static AgentApiKey Create()
    {
        var prefix = string.Create(PrefixLength, PrefixAlphabet, (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = chars[RandomNumberGenerator.GetInt32(chars.Length)];
            }
        });
        var key = $"pk_{prefix}_{Base64Url(RandomNumberGenerator.GetBytes(32))}";
        return new AgentApiKey(prefix, key, Hash(key));
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Names the key after the agent's id, which never changes, so deleting the agent can revoke it.</summary>
    public static string KeyName(Guid agentId) => $"agent {agentId} runtime";

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // The key is a secret: keep it out of logs and exception messages.
    public override string ToString() => $"AgentApiKey {{ Prefix = {Prefix} }}";
}
