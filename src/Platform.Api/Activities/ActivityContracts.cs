using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Platform.Data.Entities;

namespace Platform.Api.Activities;

public sealed record ActivityResponse(Guid Id, Guid AgentId, ActivityType Type, string Summary, JsonElement? Details, DateTimeOffset CreatedAt);

public sealed record PostActivityRequest(
    [property: Required] ActivityType? Type,
    [property: Required, StringLength(500, MinimumLength = 1)] string Summary,
    JsonElement? Details = null);

/// <summary>One event of the live feed: the activity plus the stream id that <c>Last-Event-ID</c> resumes from.</summary>
public sealed record ActivityEvent(Guid TenantId, ActivityResponse Activity);
