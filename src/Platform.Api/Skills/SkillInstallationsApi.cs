using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Agents;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Skills;

public static class SkillInstallationsApi
{
    public static RouteGroupBuilder MapSkillInstallations(this RouteGroupBuilder api)
    {
        var installed = api.MapGroup("/agents/{agentId:guid}/skills").WithTags("Skills");

        installed.MapGet("/", ListAsync).RequireAuthorization(Permissions.AgentsRead).WithSummary("Skills installed on the agent.");
        installed.MapPost("/", InstallAsync).RequireAuthorization(Permissions.SkillsInstall)
            .WithSummary("Install a published skill compatible with the agent's role (else 422).");
        installed.MapDelete("/{skillId:guid}", UninstallAsync).RequireAuthorization(Permissions.SkillsInstall)
            .WithSummary("Uninstall a skill from the agent.");
        return api;
    }

    private static async Task<Results<Ok<Page<InstallationResponse>>, ProblemHttpResult>> ListAsync(
        Guid agentId, [AsParameters] PageRequest page, PlatformDbContext db, CancellationToken cancellationToken)
    {
        if (page.Validate() is { } invalid)
        {
            return invalid;
        }

        if (!await db.Agents.AnyAsync(a => a.Id == agentId, cancellationToken))
        {
            return Problems.NotFound("agent");
        }

        return TypedResults.Ok(await db.SkillInstallations.AsNoTracking().Where(i => i.AgentId == agentId)
            .ToPageAsync(page, i => i.Id,
                i => new InstallationResponse(i.Id, i.AgentId, i.SkillId, i.Skill!.Slug, i.Skill.Name, i.Version, i.Skill.Status, i.Config, i.InstalledAt),
                r => r.Id, newestFirst: false, cancellationToken));
    }

    private static async Task<Results<Created<InstallationResponse>, ProblemHttpResult>> InstallAsync(
        Guid agentId, InstallSkillRequest request, PlatformDbContext db, CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (SkillRules.ValidateJson(request.Config) is { } configError)
        {
            return Problems.Validation("config", configError);
        }

        var agent = await db.Agents.AsNoTracking().Where(a => a.Id == agentId).Select(a => new { a.TenantId, a.Role }).FirstOrDefaultAsync(cancellationToken);
        if (agent is null)
        {
            return Problems.NotFound("agent");
        }

        var skill = await db.Skills.AsNoTracking().FirstOrDefaultAsync(s => s.Id == request.SkillId, cancellationToken);
        if (skill is null || skill.Status != SkillStatus.Published)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["skillId"] = ["Only published skills can be installed."] }, StatusCodes.Status422UnprocessableEntity);
        }

        if (!skill.CompatibleRoles.Contains(agent.Role))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["skillId"] = [$"The skill does not support the agent's role."] }, StatusCodes.Status422UnprocessableEntity);
        }

        var actor = caller.Required;
        var installation = new SkillInstallation
        {
            TenantId = agent.TenantId,
            AgentId = agentId,
            SkillId = skill.Id,
            Version = skill.Version,
            Config = JsonDocument.Parse(request.Config?.GetRawText() ?? "{}"),
            InstalledByUserId = actor.Type == AuditActorType.User ? actor.Id : null,
            InstalledAt = DateTimeOffset.UtcNow,
        };
        db.SkillInstallations.Add(installation);
        audit.Record(db, new AuditEntry("agent.skill_installed", AuditTargetType.Agent, agentId));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("The skill is already installed on this agent.");
        }

        await AgentActivityClock.TouchAsync(db, agentId, cancellationToken);
        return TypedResults.Created($"/api/v1/agents/{agentId}/skills/{skill.Id}",
            new InstallationResponse(installation.Id, agentId, skill.Id, skill.Slug, skill.Name, installation.Version, skill.Status, installation.Config, installation.InstalledAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> UninstallAsync(
        Guid agentId, Guid skillId, PlatformDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        var installation = await db.SkillInstallations.FirstOrDefaultAsync(i => i.AgentId == agentId && i.SkillId == skillId, cancellationToken);
        if (installation is null)
        {
            return Problems.NotFound("installation");
        }

        db.SkillInstallations.Remove(installation);
        audit.Record(db, new AuditEntry("agent.skill_uninstalled", AuditTargetType.Agent, agentId));
        await db.SaveChangesAsync(cancellationToken);
        await AgentActivityClock.TouchAsync(db, agentId, cancellationToken);
        return TypedResults.NoContent();
    }
}
