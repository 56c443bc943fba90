using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Platform.Api.Channels;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.RuntimeDocument;

/// <summary>
/// Builds an agent's runtime document in two steps: <see cref="LoadAsync"/> reads what it is made of as stored (channel
/// secrets still encrypted), which is enough for the ETag and a 304; only a 200 <see cref="Reveal"/>s the secrets.
/// </summary>
public sealed class RuntimeDocuments(ChannelSecrets secrets, IOptions<ModelProviderOptions> providers)
{
    public async Task<RuntimeState?> LoadAsync(PlatformDbContext db, Guid agentId, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.AsNoTracking().Where(a => a.Id == agentId)
            .Select(a => new { a.TenantId, a.ModelTier, a.ThinkingMode, a.ToolPolicy })
            .FirstOrDefaultAsync(cancellationToken);
        if (agent is null)
        {
            return null;
        }

        var channels = await db.AgentChannels.AsNoTracking().Where(c => c.AgentId == agentId).OrderBy(c => c.Id)
            .Select(c => new StoredChannel(c.Id, c.Type, c.Name, c.Enabled, c.Config))
            .ToListAsync(cancellationToken);
        var skills = await db.SkillInstallations.AsNoTracking().Where(i => i.AgentId == agentId).OrderBy(i => i.SkillId)
            .Select(i => new StoredSkill(i.SkillId, i.Skill!.Slug, i.Skill.Name, i.Version, i.Skill.Status, i.Config))
            .ToListAsync(cancellationToken);
        var configured = providers.Value.Configured.ToDictionary(p => p.Key, p => new RuntimeModelProvider(p.Value.ApiKey, p.Value.BaseUrl));
        return new RuntimeState(agentId, agent.TenantId, agent.ModelTier, agent.ThinkingMode, agent.ToolPolicy, channels, skills, configured);
    }

    /// <summary>
    /// A strong ETag: the SHA-256 of everything the document is made of, so that a change to the agent, a channel, a skill or
    /// a provider changes it. It hashes the channel secrets as stored (ciphertext, new whenever a secret is set): a hash over
    /// the plain values would let whoever sees the header test guesses of a weak channel password offline. Provider keys are
    /// hashed as configured: issued by the vendor and long, they cannot be guessed.
    /// </summary>
    public static EntityTagHeaderValue ETagOf(RuntimeState state)
    {
        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(state, HashInput));
        return new EntityTagHeaderValue($"\"{Base64Url.EncodeToString(hash)}\"");
    }

    /// <summary>The document with every secret in clear, and what it reveals (names only) for the audit row.</summary>
    public (RuntimeDocumentResponse Document, RevealedSecrets Revealed) Reveal(RuntimeState state)
    {
        var channels = new List<RuntimeChannel>();
        var revealedChannels = new List<RevealedChannel>();
        foreach (var channel in state.Channels)
        {
            var (config, names) = secrets.Revealed(channel.Config);
            channels.Add(new RuntimeChannel(channel.Id, channel.Type, channel.Name, channel.Enabled, config));
            if (names.Count > 0)
            {
                revealedChannels.Add(new RevealedChannel(channel.Id, names));
            }
        }

        var skills = state.Skills.Select(s => new RuntimeSkill(s.SkillId, s.Slug, s.Name, s.Version, s.Status, s.Config.RootElement.Clone())).ToList();
        var document = new RuntimeDocumentResponse(
            state.AgentId, state.ModelTier, state.ThinkingMode, state.ToolPolicy, channels, skills, state.ModelProviders);
        var revealedProviders = state.ModelProviders.Where(p => p.Value.ApiKey is not null).Select(p => p.Key).ToList();
        return (document, new RevealedSecrets(revealedChannels, revealedProviders));
    }

    private static readonly JsonSerializerOptions HashInput = new(JsonSerializerDefaults.Web);
}

/// <summary>An agent's runtime document as stored; <see cref="ModelProviders"/> come from configuration.</summary>
public sealed record RuntimeState(
    Guid AgentId,
    Guid TenantId,
    ModelTier ModelTier,
    ThinkingMode ThinkingMode,
    ToolPolicy ToolPolicy,
    IReadOnlyList<StoredChannel> Channels,
    IReadOnlyList<StoredSkill> Skills,
    IReadOnlyDictionary<string, RuntimeModelProvider> ModelProviders)
{
    public override string ToString() => $"RuntimeState {{ AgentId = {AgentId} }}";
}

public sealed record StoredChannel(Guid Id, ChannelType Type, string Name, bool Enabled, JsonDocument Config);

public sealed record StoredSkill(Guid SkillId, string Slug, string Name, string Version, SkillStatus Status, JsonDocument Config);

/// <summary>What a runtime document revealed, for its audit row: channel ids with secret names, provider names. No value.</summary>
public sealed record RevealedSecrets(IReadOnlyList<RevealedChannel> Channels, IReadOnlyList<string> ModelProviders);

public sealed record RevealedChannel(Guid Id, IReadOnlyList<string> Secrets);
