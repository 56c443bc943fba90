using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.RateLimiting;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;
using Platform.Data.Tenancy;

namespace Platform.Api.Auth;

public static class AuthApi
{
    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Auth");

        auth.MapPost("/signup", SignupAsync).AllowAnonymous()
            .WithSummary("Create a tenant (starter, provisioning) and its first tenant_admin; returns tokens.");
        auth.MapPost("/login", LoginAsync).AllowAnonymous()
            .WithSummary("Exchange email, password and (with MFA) a code for tokens.");
        auth.MapPost("/refresh", RefreshAsync).AllowAnonymous()
            .WithSummary("Rotate a refresh token; presenting a rotated one revokes its whole family.");
        auth.MapPost("/logout", LogoutAsync).RequireAuthorization()
            .WithSummary("Revoke the refresh token's family.");
        auth.MapGet("/me", MeAsync).RequireAuthorization().WithSummary("The signed-in user.");
        auth.MapMfa();
        return api;
    }

    private static async Task<Results<Created<TokenResponse>, ProblemHttpResult>> SignupAsync(
        SignupRequest request, PlatformDbContext db, TenantContext tenantContext, RefreshTokens tokens, LoginGuard guard,
        AuditTrail audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (await guard.CheckAsync("signup", http, null, guard.Limits.SignupPerIp, 0) is { } wait)
        {
            return TooMany(http, wait);
        }

        var email = Emails.Normalize(request.Email);
        tenantContext.UsePlatformScope();
        if (await db.Users.AnyAsync(u => u.Email == email, cancellationToken))
        {
            return Problems.Conflict("An account with this email already exists.");
        }

        var now = DateTimeOffset.UtcNow;
        var tenant = new Tenant
        {
            CompanyName = request.CompanyName.Trim(), AdminEmail = email, Status = TenantStatus.Provisioning, Plan = TenantPlan.Starter,
            CreatedAt = now, UpdatedAt = now,
        };
        var user = new User
        {
            Email = email, Name = request.Name.Trim(), Role = UserRole.TenantAdmin, TenantId = tenant.Id,
            PasswordHash = Passwords.Hash(request.Password), CreatedAt = now, UpdatedAt = now, LastLoginAt = now,
        };
        db.Tenants.Add(tenant);
        db.Users.Add(user);
        db.TeamMembers.Add(new TeamMember { TenantId = tenant.Id, UserId = user.Id, Role = UserRole.TenantAdmin, JoinedAt = now });
        var refresh = tokens.Issue(db, user, http);
        audit.Record(db, new AuditEntry("auth.signup", AuditTargetType.Tenant, tenant.Id)
        {
            ActorUserId = user.Id, TenantId = tenant.Id, Details = new Dictionary<string, object?> { ["companyName"] = tenant.CompanyName },
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("An account with this email already exists.");
        }

        return TypedResults.Created("/api/v1/auth/me", tokens.Respond(user, refresh));
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, PlatformDbContext db, TenantContext tenantContext, RefreshTokens tokens, LoginGuard guard,
        Mfa mfa, AuditTrail audit, HttpContext http, CancellationToken cancellationToken)
    {
        var email = Emails.Normalize(request.Email);
        if (await guard.CheckAsync("login", http, email, guard.Limits.LoginPerIp, guard.Limits.LoginPerAccount) is { } wait)
        {
            return TooMany(http, wait);
        }

        tenantContext.UsePlatformScope();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Email == email, cancellationToken);
        if (user is not null && guard.IsLocked(user))
        {
            return Problems.Locked("Too many failed logins; the account is locked for 15 minutes.");
        }

        if (!LoginGuard.VerifyPassword(user, request.Password) || user is null)
        {
            return await FailAsync(db, guard, audit, user, "wrong password", cancellationToken);
        }

        if (await SuspendedAsync(db, user, cancellationToken))
        {
            return Problems.Forbidden("This tenant is suspended.", ErrorCodes.TenantSuspended);
        }

        var details = new Dictionary<string, object?>();
        if (user.MfaEnabled)
        {
            if (string.IsNullOrWhiteSpace(request.MfaCode))
            {
                return Problems.Unauthorized(ErrorCodes.MfaRequired, "This account needs an MFA code or a recovery code.");
            }

            var viaRecovery = false;
            if (!await mfa.VerifyCodeAsync(db, user, request.MfaCode, cancellationToken) && !(viaRecovery = Mfa.UseRecoveryCode(user, request.MfaCode)))
            {
                return await FailAsync(db, guard, audit, user, "wrong MFA code", cancellationToken);
            }

            details["mfa"] = viaRecovery ? "recovery_code" : "totp";
        }

        guard.RecordSuccess(user);
        var refresh = tokens.Issue(db, user, http);
        audit.Record(db, new AuditEntry("auth.login", AuditTargetType.User, user.Id) { ActorUserId = user.Id, TenantId = user.TenantId, Details = details });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(tokens.Respond(user, refresh));
    }

    private static async Task<ProblemHttpResult> FailAsync(
        PlatformDbContext db, LoginGuard guard, AuditTrail audit, User? user, string reason, CancellationToken cancellationToken)
    {
        if (user is not null)
        {
            var locked = guard.RecordFailure(user);
            audit.RecordSecurityEvent(db, locked ? "auth.account_locked" : "auth.login_failed",
                locked ? AuditSeverity.Critical : AuditSeverity.Warning, user.Id, user.TenantId, new { reason });
            await db.SaveChangesAsync(cancellationToken);
            if (locked)
            {
                return Problems.Locked("Too many failed logins; the account is locked for 15 minutes.");
            }
        }

        return Problems.Unauthorized(ErrorCodes.InvalidCredentials, "The email, password or code is not valid.");
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, PlatformDbContext db, TenantContext tenantContext, RefreshTokens tokens, LoginGuard guard,
        SecurityChangeFeed securityChanges, AuditTrail audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (await guard.CheckAsync("refresh", http, null, guard.Limits.RefreshPerIp, 0) is { } wait)
        {
            return TooMany(http, wait);
        }

        tenantContext.UsePlatformScope();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var (outcome, token, next) = await tokens.RotateAsync(db, request.RefreshToken, http, cancellationToken);
        switch (outcome)
        {
            case RefreshTokens.Outcome.Reused:
                var ended = await tokens.RevokeFamilyAsync(db, token!.FamilyId, cancellationToken);
                audit.RecordSecurityEvent(db, "auth.token_reused", AuditSeverity.Critical, token.UserId, token.User?.TenantId,
                    new { familyId = token.FamilyId });
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                securityChanges.ApplyNow(ended);
                return Problems.Unauthorized(ErrorCodes.TokenReused, "This refresh token was already used; its session is revoked.");
            case RefreshTokens.Outcome.Invalid:
                return Problems.Unauthorized(ErrorCodes.Unauthorized, "The refresh token is not valid.");
        }

        var user = token!.User!;
        if (await SuspendedAsync(db, user, cancellationToken))
        {
            return Problems.Forbidden("This tenant is suspended.", ErrorCodes.TenantSuspended);
        }

        audit.Record(db, new AuditEntry("auth.token_refreshed", AuditTargetType.User, user.Id) { ActorUserId = user.Id, TenantId = user.TenantId });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(tokens.Respond(user, next!));
    }

    /// <summary>Ends the session: the presented refresh token's family and the calling access token's own session.</summary>
    private static async Task<NoContent> LogoutAsync(
        RefreshRequest request, PlatformDbContext db, RefreshTokens tokens, SecurityChangeFeed securityChanges, CurrentUser caller,
        AuditTrail audit, CancellationToken cancellationToken)
    {
        var userId = caller.Required.Id;
        var hash = Secrets.Hash(request.RefreshToken);
        var presented = await db.RefreshTokens.Where(t => t.TokenHash == hash && t.UserId == userId)
            .Select(t => (Guid?)t.FamilyId).FirstOrDefaultAsync(cancellationToken);
        Guid[] families = [.. new[] { presented, caller.SessionId }.OfType<Guid>().Distinct()];
        var ended = new List<SecurityChange>();
        foreach (var family in families)
        {
            ended.Add(await tokens.RevokeFamilyAsync(db, family, cancellationToken));
        }

        // A logout that ends no session (an API key's) changes nothing and is no mutation to audit.
        if (ended.Count > 0)
        {
            audit.Record(db, new AuditEntry("auth.logout", AuditTargetType.User, TargetId: null));
        }

        await db.SaveChangesAsync(cancellationToken);
        ended.ForEach(securityChanges.ApplyNow);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> MeAsync(
        PlatformDbContext db, CurrentUser caller, CancellationToken cancellationToken)
    {
        var actor = caller.Required;
        if (actor.Type != AuditActorType.User)
        {
            return Problems.Forbidden("Only users have a profile.");
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == actor.Id, cancellationToken);
        return user is null ? Problems.NotFound("user") : TypedResults.Ok(UserResponse.From(user));
    }

    private static async Task<bool> SuspendedAsync(PlatformDbContext db, User user, CancellationToken cancellationToken) =>
        user.TenantId is { } tenantId &&
        await db.Tenants.AnyAsync(t => t.Id == tenantId && t.Status == TenantStatus.Suspended, cancellationToken);

    internal static ProblemHttpResult TooMany(HttpContext http, TimeSpan wait)
    {
        RateLimitSetup.SetRetryAfter(http.Response, wait);
        return Problems.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "Too many requests", "Too many attempts; retry later.");
    }
}
