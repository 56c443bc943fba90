using System.Text.Json;
using Platform.Data.Entities;

namespace Platform.Api.RuntimeDocument;

// These carry secrets in clear: their ToString names no value, so no log line or exception message can hold one.

/// <summary>What an agent's runtime needs to run it, secrets in clear; only the agent's own runtime key reads it.</summary>
public sealed record RuntimeDocumentResponse(
    Guid AgentId,
    ModelTier ModelTier,
    ThinkingMode ThinkingMode,
    ToolPolicy ToolPolicy,
    IReadOnlyList<RuntimeChannel> Channels,
    IReadOnlyList<RuntimeSkill> Skills,
    IReadOnlyDictionary<string, RuntimeModelProvider> ModelProviders)
{
    public override string ToString() => $"RuntimeDocumentResponse {{ AgentId = {AgentId} }}";
}

/// <summary>A channel with every secret value of its <c>config</c> decrypted.</summary>
public sealed record RuntimeChannel(Guid Id, ChannelType Type, string Name, bool Enabled, JsonElement Config)
{
    public override string ToString() => $"RuntimeChannel {{ Id = {Id}, Type = {Type} }}";
}

/// <summary>An installed skill: the installed version, the skill's status in the marketplace and the agent's config of it.</summary>
public sealed record RuntimeSkill(Guid SkillId, string Slug, string Name, string Version, SkillStatus Status, JsonElement Config)
{
    public override string ToString() => $"RuntimeSkill {{ SkillId = {SkillId}, Slug = {Slug} }}";
}

/// <summary>A model provider's credentials, from the API's configuration.</summary>
public sealed record RuntimeModelProvider(string? ApiKey, string? BaseUrl)
{
    public override string ToString() => $"RuntimeModelProvider {{ BaseUrl = {BaseUrl} }}";
}
