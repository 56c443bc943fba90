using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Skills;

public static class SkillsApi
{
    public static RouteGroupBuilder MapSkills(this RouteGroupBuilder api)
    {
        var skills = api.MapGroup("/skills").WithTags("Skills");

        skills.MapGet("/", ListAsync).RequireAuthorization(Permissions.SkillsRead)
            .WithSummary("The marketplace: filters category, role, q, capability; sort rating | installs | name.");
        skills.MapGet("/{id:guid}", GetAsync).RequireAuthorization(Permissions.SkillsRead).WithSummary("One skill.");
        skills.MapPost("/", CreateAsync).RequireAuthorization(Permissions.PlatformManage)
            .WithSummary("Add a skill to the catalogue (draft).");
        skills.MapPatch("/{id:guid}", UpdateAsync).RequireAuthorization(Permissions.PlatformManage)
            .WithSummary("Partial update of a skill.");
        skills.MapPost("/{id:guid}/publish", PublishAsync).RequireAuthorization(Permissions.PlatformManage)
            .WithSummary("Publish: tenants can see and install it.");
        skills.MapPost("/{id:guid}/deprecate", DeprecateAsync).RequireAuthorization(Permissions.PlatformManage)
            .WithSummary("Deprecate: existing installations stay, new ones are refused.");
        skills.MapPost("/{id:guid}/remove", RemoveAsync).RequireAuthorization(Permissions.PlatformManage)
            .WithSummary("Remove from the marketplace for good: no longer listed or installable; existing installations keep working, shown as removed.");
        skills.MapSkillRatings();
        return api;
    }

    internal static readonly Expression<Func<Skill, SkillResponse>> ToResponse = s => new SkillResponse(
        s.Id, s.Slug, s.Name, s.Description, s.Category, s.Version, s.Status, s.CompatibleRoles, s.Capabilities,
        s.Permissions, s.Rating, s.RatingCount, s.InstallCount, s.Publisher);

    /// <summary>The response from a skill held in memory: writes answer from what they saved, never from a read after the commit.</summary>
    private static readonly Func<Skill, SkillResponse> From = ToResponse.Compile();

    private static async Task<Results<Ok<Page<SkillResponse>>, ProblemHttpResult>> ListAsync(
        [AsParameters] SkillListQuery filter, [AsParameters] PageRequest page, PlatformDbContext db, CurrentUser caller, CancellationToken cancellationToken)
    {
        if (page.Validate(c => SortCursor.Decode(c) is not null) is { } invalid)
        {
            return invalid;
        }

        if (!SkillQueries.IsKnownSort(filter.Sort))
        {
            return Problems.Validation("sort", "Must be rating, installs or name.");
        }

        var platformAdmin = caller.Actor?.IsPlatformAdmin == true;
        var after = page.Cursor is null ? null : SortCursor.Decode(page.Cursor);
        var query = SkillQueries.Order(SkillQueries.Filter(db.Skills.AsNoTracking(), filter, platformAdmin), filter.Sort, after);
        var rows = await query.Select(ToResponse).Take(page.Size + 1).ToListAsync(cancellationToken);
        string? next = null;
        if (rows.Count > page.Size)
        {
            rows.RemoveAt(rows.Count - 1);
            next = SkillQueries.CursorOf(rows[^1], filter.Sort).Encode();
        }

        return TypedResults.Ok(new Page<SkillResponse>(rows, next));
    }

    private static async Task<Results<Ok<SkillResponse>, ProblemHttpResult>> GetAsync(
        Guid id, PlatformDbContext db, CurrentUser caller, CancellationToken cancellationToken)
    {
        var platformAdmin = caller.Actor?.IsPlatformAdmin == true;
        var skill = await db.Skills.AsNoTracking()
            .Where(s => s.Id == id && (platformAdmin || s.Status != SkillStatus.Draft))
            .Select(ToResponse).FirstOrDefaultAsync(cancellationToken);
        return skill is null ? Problems.NotFound("skill") : TypedResults.Ok(skill);
    }

    private static async Task<Results<Created<SkillResponse>, ProblemHttpResult>> CreateAsync(
        CreateSkillRequest request, PlatformDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (Errors(request.Capabilities, request.Permissions) is { Count: > 0 } errors)
        {
            return Problems.Validation(errors);
        }

        if (await db.Skills.AnyAsync(s => s.Slug == request.Slug, cancellationToken))
        {
            return Problems.Conflict("A skill with this slug exists.");
        }

        var now = DateTimeOffset.UtcNow;
        var skill = new Skill
        {
            Slug = request.Slug, Name = request.Name.Trim(), Description = request.Description, Category = request.Category!.Value,
            Version = request.Version, Status = SkillStatus.Draft, CompatibleRoles = [.. request.CompatibleRoles.Distinct()],
            Capabilities = Document(request.Capabilities), Permissions = Document(request.Permissions), Publisher = request.Publisher,
            CreatedAt = now, UpdatedAt = now,
        };
        db.Skills.Add(skill);
        audit.Record(db, new AuditEntry("skill.created", AuditTargetType.Skill, skill.Id));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("A skill with this slug exists.");
        }

        return TypedResults.Created($"/api/v1/skills/{skill.Id}", From(skill));
    }

    private static async Task<Results<Ok<SkillResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateSkillRequest request, PlatformDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        var errors = Errors(request.Capabilities, request.Permissions);
        if (request == new UpdateSkillRequest())
        {
            errors["body"] = ["Send at least one field to change."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var skill = await db.Skills.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (skill is null)
        {
            return Problems.NotFound("skill");
        }

        skill.Name = request.Name?.Trim() ?? skill.Name;
        skill.Description = request.Description ?? skill.Description;
        skill.Category = request.Category ?? skill.Category;
        skill.Version = request.Version ?? skill.Version;
        skill.CompatibleRoles = request.CompatibleRoles is { } roles ? [.. roles.Distinct()] : skill.CompatibleRoles;
        skill.Capabilities = request.Capabilities is null ? skill.Capabilities : Document(request.Capabilities);
        skill.Permissions = request.Permissions is null ? skill.Permissions : Document(request.Permissions);
        skill.Publisher = request.Publisher ?? skill.Publisher;
        skill.UpdatedAt = DateTimeOffset.UtcNow;
        audit.Record(db, new AuditEntry("skill.updated", AuditTargetType.Skill, id));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(From(skill));
    }

    private static Task<Results<Ok<SkillResponse>, ProblemHttpResult>> PublishAsync(
        Guid id, PlatformDbContext db, AuditTrail audit, CancellationToken cancellationToken) =>
        SetStatusAsync(id, SkillStatus.Published, [SkillStatus.Draft, SkillStatus.Deprecated], "skill.published", db, audit, cancellationToken);

    private static Task<Results<Ok<SkillResponse>, ProblemHttpResult>> DeprecateAsync(
        Guid id, PlatformDbContext db, AuditTrail audit, CancellationToken cancellationToken) =>
        SetStatusAsync(id, SkillStatus.Deprecated, [SkillStatus.Published], "skill.deprecated", db, audit, cancellationToken);

    /// <summary>Only a skill tenants could have installed is removed; removal is final (publish does not bring it back).</summary>
    private static Task<Results<Ok<SkillResponse>, ProblemHttpResult>> RemoveAsync(
        Guid id, PlatformDbContext db, AuditTrail audit, CancellationToken cancellationToken) =>
        SetStatusAsync(id, SkillStatus.Removed, [SkillStatus.Published, SkillStatus.Deprecated], "skill.removed", db, audit, cancellationToken);

    private static async Task<Results<Ok<SkillResponse>, ProblemHttpResult>> SetStatusAsync(
        Guid id, SkillStatus to, SkillStatus[] from, string action, PlatformDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        var skill = await db.Skills.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (skill is null)
        {
            return Problems.NotFound("skill");
        }

        if (!from.Contains(skill.Status))
        {
            return Problems.Conflict($"A {skill.Status.ToString().ToLowerInvariant()} skill cannot become {to.ToString().ToLowerInvariant()}.");
        }

        skill.Status = to;
        skill.UpdatedAt = DateTimeOffset.UtcNow;
        audit.Record(db, new AuditEntry(action, AuditTargetType.Skill, id));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(From(skill));
    }

    private static Dictionary<string, string[]> Errors(JsonElement? capabilities, JsonElement? permissions)
    {
        var errors = new Dictionary<string, string[]>();
        if (SkillRules.ValidateJson(capabilities) is { } c)
        {
            errors["capabilities"] = [c];
        }

        if (SkillRules.ValidateJson(permissions) is { } p)
        {
            errors["permissions"] = [p];
        }

        return errors;
    }

    private static JsonDocument Document(JsonElement? value) => JsonDocument.Parse(value?.GetRawText() ?? "{}");
}
