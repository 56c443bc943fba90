using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Http;
using Platform.Data.Entities;

namespace Platform.Api.Skills;

/// <summary>Catalogue filters and the three keyset orders (rating, installs, name), each with id as tie-breaker.</summary>
internal static class SkillQueries
{
    public static IQueryable<Skill> Filter(IQueryable<Skill> skills, SkillListQuery filter, bool platformAdmin)
    {
        // Tenants see the marketplace; platform admins the catalogue, where a removed skill shows only when asked for by status.
        if (!platformAdmin)
        {
            skills = skills.Where(s => s.Status == SkillStatus.Published);
        }
        else if (filter.Status is { } status)
        {
            skills = skills.Where(s => s.Status == status);
        }
        else
        {
            skills = skills.Where(s => s.Status != SkillStatus.Removed);
        }

        if (filter.Category is { } category)
        {
            skills = skills.Where(s => s.Category == category);
        }

        if (filter.Role is { } role)
        {
            skills = skills.Where(s => s.CompatibleRoles.Contains(role));
        }

        if (!string.IsNullOrWhiteSpace(filter.Q))
        {
            var pattern = "%" + Like.Escape(filter.Q.Trim()) + "%";
            skills = skills.Where(s => EF.Functions.ILike(s.Name, pattern) || EF.Functions.ILike(s.Description, pattern) || EF.Functions.ILike(s.Slug, pattern));
        }

        if (!string.IsNullOrWhiteSpace(filter.Capability))
        {
            // Containment (@>) is what the jsonb_path_ops GIN index answers.
            var (asValue, asList) = Containment(filter.Capability.Trim());
            skills = asList is null
                ? skills.Where(s => EF.Functions.JsonContains(s.Capabilities, asValue))
                : skills.Where(s => EF.Functions.JsonContains(s.Capabilities, asValue) || EF.Functions.JsonContains(s.Capabilities, asList));
        }

        return skills;
    }

    public static bool IsKnownSort(string? sort) => sort is null or "rating" or "installs" or "name";

    public static IQueryable<Skill> Order(IQueryable<Skill> skills, string? sort, SortCursor? after) => sort switch
    {
        "name" => (after is null ? skills : skills.Where(s => string.Compare(s.Name, after.Text) > 0 || (s.Name == after.Text && s.Id.CompareTo(after.Id) > 0)))
            .OrderBy(s => s.Name).ThenBy(s => s.Id),
        "installs" => (after is null ? skills : skills.Where(s => s.InstallCount < after.Number || (s.InstallCount == after.Number && s.Id.CompareTo(after.Id) > 0)))
            .OrderByDescending(s => s.InstallCount).ThenBy(s => s.Id),
        _ => (after is null ? skills : skills.Where(s => s.Rating < after.Number || (s.Rating == after.Number && s.Id.CompareTo(after.Id) > 0)))
            .OrderByDescending(s => s.Rating).ThenBy(s => s.Id),
    };

    public static SortCursor CursorOf(SkillResponse skill, string? sort) => sort switch
    {
        "name" => new SortCursor(skill.Id, skill.Name, 0),
        "installs" => new SortCursor(skill.Id, null, skill.InstallCount),
        _ => new SortCursor(skill.Id, null, skill.Rating),
    };

    private static (JsonDocument AsValue, JsonDocument? AsList) Containment(string capability)
    {
        var colon = capability.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return (JsonDocument.Parse(new JsonObject { [capability] = true }.ToJsonString()), null);
        }

        var (key, value) = (capability[..colon], capability[(colon + 1)..]);
        return (JsonDocument.Parse(new JsonObject { [key] = value }.ToJsonString()),
            JsonDocument.Parse(new JsonObject { [key] = new JsonArray(value) }.ToJsonString()));
    }
}
