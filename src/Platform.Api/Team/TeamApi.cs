using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Audit;
using Platform.Api.Auth;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Team;

public static class TeamApi
{
    public static RouteGroupBuilder MapTeam(this RouteGroupBuilder api)
    {
        var team = api.MapGroup("/team").WithTags("Team");

        team.MapGet("/members", ListMembersAsync).RequireAuthorization(Permissions.TeamRead).WithSummary("Members of the tenant.");
        team.MapPatch("/members/{userId:guid}", UpdateMemberAsync).RequireAuthorization(Permissions.TeamManage)
            .WithSummary("Change a member's role (never the last tenant_admin).");
        team.MapDelete("/members/{userId:guid}", RemoveMemberAsync).RequireAuthorization(Permissions.TeamManage)
            .WithSummary("Remove a member and their account (never the last tenant_admin).");
        team.MapInvites();
        return api;
    }

    private static async Task<Results<Ok<Page<TeamMemberResponse>>, ProblemHttpResult>> ListMembersAsync(
        [AsParameters] TenantSelector selector, [AsParameters] PageRequest page, PlatformDbContext db, CurrentUser caller, CancellationToken cancellationToken)
    {
        var (tenantId, problem) = TeamScope.Resolve(caller, selector);
        if ((problem ?? page.Validate()) is { } invalid)
        {
            return invalid;
        }

        var members = db.TeamMembers.AsNoTracking().Where(m => m.TenantId == tenantId);
        return TypedResults.Ok(await members.ToPageAsync(page, m => m.UserId,
            m => new TeamMemberResponse(m.UserId, m.User!.Email, m.User.Name, m.Role, m.User.MfaEnabled, m.JoinedAt),
            r => r.UserId, cancellationToken: cancellationToken));
    }

    private static async Task<Results<Ok<TeamMemberResponse>, ProblemHttpResult>> UpdateMemberAsync(
        Guid userId, UpdateMemberRequest request, [AsParameters] TenantSelector selector, PlatformDbContext db,
        RefreshTokens tokens, SecurityChangeFeed securityChanges, CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken)
    {
        var (tenantId, problem) = TeamScope.Resolve(caller, selector);
        if (problem is not null)
        {
            return problem;
        }

        if (request.Role is not (UserRole.TenantAdmin or UserRole.TenantMember))
        {
            return Problems.Validation("role", "Must be tenant_admin or tenant_member.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var member = await db.TeamMembers.Include(m => m.User).FirstOrDefaultAsync(m => m.TenantId == tenantId && m.UserId == userId, cancellationToken);
        if (member?.User is null)
        {
            return Problems.NotFound("member");
        }

        if (member.Role == UserRole.TenantAdmin && request.Role != UserRole.TenantAdmin && await IsLastAdminAsync(db, tenantId, cancellationToken))
        {
            return Problems.Conflict("The tenant must keep at least one tenant_admin.");
        }

        IReadOnlyList<SecurityChange> ended = [];
        if (member.Role != request.Role)
        {
            member.Role = request.Role.Value;
            member.User.Role = request.Role.Value;
            member.User.UpdatedAt = DateTimeOffset.UtcNow;

            // Sessions carry the old role: end them so the change takes effect at the next sign-in.
            ended = await tokens.RevokeAllAsync(db, userId, cancellationToken);
            audit.Record(db, new AuditEntry("team.member_role_changed", AuditTargetType.Team, userId, AuditSeverity.Warning));
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        ended.ToList().ForEach(securityChanges.ApplyNow);

        return TypedResults.Ok(new TeamMemberResponse(member.UserId, member.User.Email, member.User.Name, member.Role, member.User.MfaEnabled, member.JoinedAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveMemberAsync(
        Guid userId, [AsParameters] TenantSelector selector, PlatformDbContext db, RefreshTokens tokens, SecurityChangeFeed securityChanges,
        CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken)
    {
        var (tenantId, problem) = TeamScope.Resolve(caller, selector);
        if (problem is not null)
        {
            return problem;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var member = await db.TeamMembers.Include(m => m.User).FirstOrDefaultAsync(m => m.TenantId == tenantId && m.UserId == userId, cancellationToken);
        if (member?.User is null)
        {
            return Problems.NotFound("member");
        }

        if (member.Role == UserRole.TenantAdmin && await IsLastAdminAsync(db, tenantId, cancellationToken))
        {
            return Problems.Conflict("The tenant must keep at least one tenant_admin.");
        }

        // The user's refresh tokens go with the row; ending the sessions first ends their access tokens on every replica.
        var ended = await tokens.RevokeAllAsync(db, userId, cancellationToken);
        db.Users.Remove(member.User);
        audit.Record(db, new AuditEntry("team.member_removed", AuditTargetType.Team, userId, AuditSeverity.Warning));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        ended.ToList().ForEach(securityChanges.ApplyNow);
        return TypedResults.NoContent();
    }

    /// <summary>Locks the tenant's admin rows, so two concurrent demotions cannot both pass the check.</summary>
    private static async Task<bool> IsLastAdminAsync(PlatformDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var admins = await db.TeamMembers
            .FromSql($"SELECT * FROM team_members WHERE tenant_id = {tenantId} AND role = 'tenant_admin'::user_role FOR UPDATE")
            .AsNoTracking()
            .CountAsync(cancellationToken);
        return admins <= 1;
    }
}
