using Platform.Data.Entities;

namespace Platform.Data.Security;

/// <summary>
/// The key the platform gives an agent's runtime: scope <see cref="Scope"/> and <see cref="ApiKey.AgentId"/> set, so the API
/// lets it read that agent's runtime document and post its activities and metrics, and nothing else. It goes with the
/// agent (the foreign key cascades).
/// </summary>
public static class RuntimeKeys
{
    /// <summary>Only valid on a key bound to an agent; never granted through <c>POST /api-keys</c>.</summary>
    public const string Scope = "runtime";

    public static string Name(Guid agentId) => $"agent {agentId} runtime";

    public static RuntimeKey Mint(Guid tenantId, Guid agentId, DateTimeOffset now)
    {
        var key = ApiKeyFormat.Create();
        return new RuntimeKey(key.Key, new ApiKey
        {
            TenantId = tenantId,
            AgentId = agentId,
            Name = Name(agentId),
            Prefix = key.Prefix,
            KeyHash = key.KeyHash,
            Scopes = [Scope],
            CreatedAt = now,
        });
    }
}

/// <summary>A minted runtime key: <see cref="Key"/> goes into the agent's environment, <see cref="Row"/> into <c>api_keys</c>.</summary>
public sealed record RuntimeKey(string Key, ApiKey Row)
{
    // The key is a secret: keep it out of logs and exception messages.
    public override string ToString() => $"RuntimeKey {{ AgentId = {Row.AgentId}, Prefix = {Row.Prefix} }}";
}
