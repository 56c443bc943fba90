using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Platform.Data.Entities;

namespace Platform.Api.Activities;

public sealed record ActivityResponse(Guid Id, Guid AgentId, ActivityType Type, string Summary, JsonElement? Details, DateTimeOffset CreatedAt)
{
    public static ActivityResponse From(AgentActivity a) => new(a.Id, a.AgentId, a.Type, a.Summary, a.Details?.RootElement.Clone(), a.CreatedAt);
}

public sealed record PostActivityRequest(
    [property: Required] ActivityType? Type,
    [property: Required, StringLength(500, MinimumLength = 1)] string Summary,
    JsonElement? Details = null);
