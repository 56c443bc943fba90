using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Audit;
using Platform.Api.Auth;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;
using Platform.Data.Tenancy;

namespace Platform.Api.Team;

public static class InvitesApi
{
    public static RouteGroupBuilder MapInvites(this RouteGroupBuilder team)
    {
        team.MapGet("/invites", ListAsync).RequireAuthorization(Permissions.TeamRead).WithSummary("Invites of the tenant.");
        team.MapPost("/invites", CreateAsync).RequireAuthorization(Permissions.TeamManage)
            .WithSummary("Invite someone; the token is returned once.");
        team.MapDelete("/invites/{id:guid}", RevokeAsync).RequireAuthorization(Permissions.TeamManage)
            .WithSummary("Revoke a pending invite.");
        return team;
    }

    public static RouteGroupBuilder MapInviteAcceptance(this RouteGroupBuilder api)
    {
        api.MapPost("/invites/accept", AcceptAsync).WithTags("Team").AllowAnonymous()
            .WithSummary("Accept an invite: creates the user in the inviting tenant and returns tokens.");
        return api;
    }

    private static async Task<Results<Ok<Page<InviteResponse>>, ProblemHttpResult>> ListAsync(
        [AsParameters] InviteListQuery filter, [AsParameters] TenantSelector selector, [AsParameters] PageRequest page,
        PlatformDbContext db, CurrentUser caller, CancellationToken cancellationToken)
    {
        var (tenantId, problem) = TeamScope.Resolve(caller, selector);
        if ((problem ?? page.Validate()) is { } invalid)
        {
            return invalid;
        }

        var invites = db.TeamInvites.AsNoTracking().Where(i => i.TenantId == tenantId);
        if (filter.Status is { } status)
        {
            invites = invites.Where(i => i.Status == status);
        }

        return TypedResults.Ok(await invites.ToPageAsync(page, i => i.Id,
            i => new InviteResponse(i.Id, i.Email, i.Role, i.Status, i.ExpiresAt, i.CreatedAt), r => r.Id, cancellationToken: cancellationToken));
    }

    private static async Task<Results<Created<CreatedInviteResponse>, ProblemHttpResult>> CreateAsync(
        CreateInviteRequest request, [AsParameters] TenantSelector selector, PlatformDbContext db, Invites invites,
        CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken)
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

        var email = Emails.Normalize(request.Email);
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, cancellationToken))
        {
            return Problems.NotFound("tenant");
        }

        if (await db.TeamInvites.AnyAsync(i => i.TenantId == tenantId && i.Email == email && i.Status == InviteStatus.Pending && i.ExpiresAt > DateTimeOffset.UtcNow, cancellationToken))
        {
            return Problems.Conflict("A pending invite for this email exists; revoke it first.");
        }

        var actor = caller.Required;
        var issued = invites.Create(db, tenantId, email, request.Role.Value, actor.Type == AuditActorType.User ? actor.Id : null);
        audit.Record(db, new AuditEntry("team.invite_created", AuditTargetType.Team, issued.Id));
        await db.SaveChangesAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow;
        return TypedResults.Created($"/api/v1/team/invites/{issued.Id}",
            new CreatedInviteResponse(issued.Id, issued.Email, issued.Role, InviteStatus.Pending, issued.ExpiresAt, now, issued.Token));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id, [AsParameters] TenantSelector selector, PlatformDbContext db, CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken)
    {
        var (tenantId, problem) = TeamScope.Resolve(caller, selector);
        if (problem is not null)
        {
            return problem;
        }

        var invite = await db.TeamInvites.FirstOrDefaultAsync(i => i.Id == id && i.TenantId == tenantId, cancellationToken);
        if (invite is null)
        {
            return Problems.NotFound("invite");
        }

        if (invite.Status != InviteStatus.Pending)
        {
            return Problems.Conflict($"The invite is {invite.Status.ToString().ToLowerInvariant()}, not pending.");
        }

        invite.Status = InviteStatus.Revoked;
        audit.Record(db, new AuditEntry("team.invite_revoked", AuditTargetType.Team, id));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<TokenResponse>, ProblemHttpResult>> AcceptAsync(
        AcceptInviteRequest request, PlatformDbContext db, TenantContext tenantContext, LoginGuard guard, RefreshTokens tokens,
        AuditTrail audit, HttpContext http, CancellationToken cancellationToken)
    {
        var tokenHash = Secrets.Hash(request.Token);
        if (await guard.CheckAsync("invite-accept", http, tokenHash, guard.Limits.InviteAcceptPerIp, guard.Limits.InviteAcceptPerToken) is { } wait)
        {
            return AuthApi.TooMany(http, wait);
        }

        tenantContext.UsePlatformScope();
        var invite = await db.TeamInvites.FirstOrDefaultAsync(i => i.TokenHash == tokenHash, cancellationToken);
        if (invite is null || invite.Status != InviteStatus.Pending || invite.ExpiresAt <= DateTimeOffset.UtcNow)
        {
            return Problems.Validation("token", "The invite is unknown, expired, revoked or already used.");
        }

        if (await db.Tenants.AnyAsync(t => t.Id == invite.TenantId && t.Status == TenantStatus.Suspended, cancellationToken))
        {
            return Problems.Forbidden("This tenant is suspended.", ErrorCodes.TenantSuspended);
        }

        if (await db.Users.AnyAsync(u => u.Email == invite.Email, cancellationToken))
        {
            return Problems.Conflict("An account with the invited email already exists.");
        }

        var now = DateTimeOffset.UtcNow;
        var user = new User
        {
            Email = invite.Email, Name = request.Name.Trim(), Role = invite.Role, TenantId = invite.TenantId,
            PasswordHash = Passwords.Hash(request.Password), CreatedAt = now, UpdatedAt = now, LastLoginAt = now,
        };
        db.Users.Add(user);
        db.TeamMembers.Add(new TeamMember { TenantId = invite.TenantId, UserId = user.Id, Role = invite.Role, JoinedAt = now });
        invite.Status = InviteStatus.Accepted;
        invite.AcceptedAt = now;
        var refresh = tokens.Issue(db, user, http);
        audit.Record(db, new AuditEntry("team.invite_accepted", AuditTargetType.Team, invite.Id) { ActorUserId = user.Id, TenantId = invite.TenantId });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("An account with the invited email already exists.");
        }

        return TypedResults.Created("/api/v1/auth/me", tokens.Respond(user, refresh));
    }
}
