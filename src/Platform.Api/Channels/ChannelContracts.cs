using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Platform.Data.Entities;

namespace Platform.Api.Channels;

/// <summary>A channel; secret values inside <c>config</c> are never returned (they read <c>"********"</c>).</summary>
public sealed record ChannelResponse(
    Guid Id, Guid AgentId, ChannelType Type, string Name, JsonElement Config, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record CreateChannelRequest(
    [property: Required] ChannelType? Type,
    [property: Required, StringLength(200, MinimumLength = 1)] string Name,
    JsonElement? Config = null,
    bool Enabled = true);

/// <summary>Partial update. In <c>config</c>, a secret sent back as <c>"********"</c> keeps its stored value.</summary>
public sealed record UpdateChannelRequest(
    [property: StringLength(200, MinimumLength = 1)] string? Name = null,
    JsonElement? Config = null,
    bool? Enabled = null);
