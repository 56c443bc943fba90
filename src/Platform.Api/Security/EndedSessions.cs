using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Platform.Api.Security;

/// <summary>
/// Refuses an access token whose session ended after it was issued (logout, a revoked refresh family, a password or
/// role change, removal from the team): the token is valid by signature and lifetime, but <see cref="SessionRevocations"/>
/// knows better. Checked in memory; the state comes from PostgreSQL (<see cref="SecurityChangeFeed"/>).
/// </summary>
internal static class EndedSessions
{
    public static async Task RefuseAsync(TokenValidatedContext context)
    {
        if (context.SecurityToken is not JsonWebToken token)
        {
            return;
        }

        // Every access token is issued with its session; one without is not one of ours.
        if (!token.TryGetClaim(PlatformClaims.Session, out var sid) || !Guid.TryParse(sid.Value, out var sessionId))
        {
            context.Fail("The access token has no session.");
            return;
        }

        var services = context.HttpContext.RequestServices;
        var revocations = services.GetRequiredService<SessionRevocations>();
        if (!revocations.IsLoaded)
        {
            // Fails closed: throws (answered 503) while PostgreSQL cannot say which sessions ended.
            await services.GetRequiredService<SecurityChangeFeed>().EnsureLoadedAsync(context.HttpContext.RequestAborted);
        }

        if (revocations.IsRevoked(sessionId))
        {
            context.Fail("The session of this access token has ended.");
        }
    }
}
