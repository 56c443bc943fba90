using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Platform.Api.Http;
using Platform.Data.Entities;

namespace Platform.Api.Skills;

public sealed record SkillResponse(
    Guid Id, string Slug, string Name, string Description, SkillCategory Category, string Version, SkillStatus Status,
    IReadOnlyList<AgentRole> CompatibleRoles, JsonDocument Capabilities, JsonDocument Permissions, decimal Rating, int RatingCount,
    int InstallCount, string Publisher);

public sealed record CreateSkillRequest(
    [property: Required, RegularExpression("^[a-z0-9]+(-[a-z0-9]+)*$"), StringLength(100)] string Slug,
    [property: Required, StringLength(200, MinimumLength = 1)] string Name,
    [property: Required, StringLength(4000)] string Description,
    [property: Required] SkillCategory? Category,
    [property: Required, RegularExpression(SkillRules.SemVer), StringLength(50)] string Version,
    [property: Required, MinLength(1)] AgentRole[] CompatibleRoles,
    JsonElement? Capabilities = null,
    JsonElement? Permissions = null,
    [property: StringLength(200)] string Publisher = "Platform");

public sealed record UpdateSkillRequest(
    [property: StringLength(200, MinimumLength = 1)] string? Name = null,
    [property: StringLength(4000)] string? Description = null,
    SkillCategory? Category = null,
    [property: RegularExpression(SkillRules.SemVer), StringLength(50)] string? Version = null,
    [property: MinLength(1)] AgentRole[]? CompatibleRoles = null,
    JsonElement? Capabilities = null,
    JsonElement? Permissions = null,
    [property: StringLength(200)] string? Publisher = null);

public sealed record RateSkillRequest([property: Required, Range(1, 5)] int? Rating);

public sealed record RatingResponse(Guid SkillId, int YourRating, decimal Rating, int RatingCount);

public sealed record InstallSkillRequest([property: Required] Guid? SkillId, JsonElement? Config = null);

/// <summary>An installation; <c>Status</c> is the skill's status in the marketplace (an installed skill may since be deprecated or removed).</summary>
public sealed record InstallationResponse(
    Guid Id, Guid AgentId, Guid SkillId, string Slug, string Name, string Version, SkillStatus Status, JsonDocument Config, DateTimeOffset InstalledAt);

public sealed class SkillListQuery
{
    public QueryEnum<SkillCategory>? Category { get; init; }

    public QueryEnum<AgentRole>? Role { get; init; }

    public QueryEnum<SkillStatus>? Status { get; init; }

    [StringLength(200)]
    public string? Q { get; init; }

    /// <summary><c>name</c> (capabilities has name: true) or <c>name:value</c> (name is value, or a list holding it).</summary>
    [StringLength(200)]
    public string? Capability { get; init; }

    /// <summary><c>rating</c> (default), <c>installs</c> or <c>name</c>.</summary>
    [StringLength(20)]
    public string? Sort { get; init; }
}
