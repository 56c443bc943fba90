using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;

namespace Platform.Api.Auth;

/// <summary>MFA enrolment and password change for the signed-in user.</summary>
public static class MfaApi
{
    public static RouteGroupBuilder MapMfa(this RouteGroupBuilder auth)
    {
        auth.MapPost("/mfa/setup", SetupAsync).RequireAuthorization()
            .WithSummary("Start MFA enrolment: a new TOTP secret and its otpauth URI.");
        auth.MapPost("/mfa/enable", EnableAsync).RequireAuthorization()
            .WithSummary("Confirm a code; returns 10 single-use recovery codes, shown once.");
        auth.MapPost("/mfa/disable", DisableAsync).RequireAuthorization()
            .WithSummary("Turn MFA off with the password and a code.");
        auth.MapPost("/password", ChangePasswordAsync).RequireAuthorization()
            .WithSummary("Change the password; every refresh token of the user is revoked.");
        return auth;
    }

    private static async Task<Results<Ok<MfaSetupResponse>, ProblemHttpResult>> SetupAsync(
        PlatformDbContext db, Mfa mfa, CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (await SignedInUserAsync(db, caller, cancellationToken) is not { } user)
        {
            return Problems.Forbidden("Only users can enrol in MFA.");
        }

        if (user.MfaEnabled)
        {
            return Problems.Conflict("MFA is already enabled; disable it first.");
        }

        var (secret, uri) = mfa.NewSecret(user);
        user.UpdatedAt = DateTimeOffset.UtcNow;
        audit.Record(db, new AuditEntry("auth.mfa_setup", AuditTargetType.User, user.Id));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new MfaSetupResponse(secret, uri));
    }

    private static async Task<Results<Ok<RecoveryCodesResponse>, ProblemHttpResult>> EnableAsync(
        MfaCodeRequest request, PlatformDbContext db, Mfa mfa, CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (await SignedInUserAsync(db, caller, cancellationToken) is not { } user)
        {
            return Problems.Forbidden("Only users can enrol in MFA.");
        }

        if (user.MfaEnabled)
        {
            return Problems.Conflict("MFA is already enabled.");
        }

        if (user.MfaSecretEncrypted is null)
        {
            return Problems.Conflict("Call /auth/mfa/setup first.");
        }

        if (!await mfa.VerifyCodeAsync(db, user, request.Code, cancellationToken))
        {
            return Problems.Validation("code", "The code does not match.");
        }

        user.MfaEnabled = true;
        user.UpdatedAt = DateTimeOffset.UtcNow;
        var codes = Mfa.NewRecoveryCodes(user);
        audit.Record(db, new AuditEntry("auth.mfa_enabled", AuditTargetType.User, user.Id, AuditSeverity.Warning));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new RecoveryCodesResponse(codes));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DisableAsync(
        MfaDisableRequest request, PlatformDbContext db, Mfa mfa, CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (await SignedInUserAsync(db, caller, cancellationToken) is not { } user)
        {
            return Problems.Forbidden("Only users can change MFA.");
        }

        if (!user.MfaEnabled)
        {
            return Problems.Conflict("MFA is not enabled.");
        }

        if (!Passwords.Verify(request.Password, user.PasswordHash) || !await mfa.VerifyCodeAsync(db, user, request.Code, cancellationToken))
        {
            return Problems.Unauthorized(ErrorCodes.InvalidCredentials, "The password or code is not valid.");
        }

        user.MfaEnabled = false;
        user.MfaSecretEncrypted = null;
        user.RecoveryCodeHashes = [];
        user.UpdatedAt = DateTimeOffset.UtcNow;
        audit.Record(db, new AuditEntry("auth.mfa_disabled", AuditTargetType.User, user.Id, AuditSeverity.Warning));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordRequest request, PlatformDbContext db, RefreshTokens tokens, SecurityChangeFeed securityChanges, CurrentUser caller,
        AuditTrail audit, CancellationToken cancellationToken)
    {
        if (await SignedInUserAsync(db, caller, cancellationToken) is not { } user)
        {
            return Problems.Forbidden("Only users have a password.");
        }

        if (!Passwords.Verify(request.CurrentPassword, user.PasswordHash))
        {
            return Problems.Unauthorized(ErrorCodes.InvalidCredentials, "The current password is not valid.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        user.PasswordHash = Passwords.Hash(request.NewPassword);
        user.UpdatedAt = DateTimeOffset.UtcNow;
        var ended = await tokens.RevokeAllAsync(db, user.Id, cancellationToken);
        audit.Record(db, new AuditEntry("auth.password_changed", AuditTargetType.User, user.Id, AuditSeverity.Warning));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        ended.ToList().ForEach(securityChanges.ApplyNow);
        return TypedResults.NoContent();
    }

    private static async Task<User?> SignedInUserAsync(PlatformDbContext db, CurrentUser caller, CancellationToken cancellationToken) =>
        caller.Actor is { Type: AuditActorType.User } actor
            ? await db.Users.FirstOrDefaultAsync(u => u.Id == actor.Id, cancellationToken)
            : null;
}
