using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Api.Http;
using Platform.Api.Streams;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;
using Platform.Data.Tenancy;
using Platform.ServiceDefaults.Tickets;

namespace Platform.Api.Security;

/// <summary>
/// Authenticates a stream request by its <c>?ticket=</c> (<see cref="PresentedTicket"/>) as the caller the ticket was issued
/// to, on endpoints marked <see cref="StreamTicketEndpoint"/> only. The ticket is consumed on first use; the caller must
/// still be valid: a user's session not ended and the user still in the ticket's tenant, a key neither revoked nor
/// expired (a suspended tenant is refused after this, by <see cref="TenantScopeMiddleware"/>, as for any credential).
/// Refusals answer 401 <c>invalid_ticket</c>.
/// </summary>
public sealed class StreamTicketAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    DbContextOptions<PlatformDbContext> dbOptions,
    SessionRevocations sessions,
    SecurityChangeFeed securityChanges,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "StreamTicket";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Context.Features.Get<PresentedTicket>() is not { } presented)
        {
            return AuthenticateResult.NoResult();
        }

        // Checked before the ticket is consumed: a ticket sent to the wrong endpoint is refused, not spent.
        if (Context.GetEndpoint()?.Metadata.GetMetadata<StreamTicketEndpoint>() is not { } endpoint || !endpoint.Accepts(Request))
        {
            return AuthenticateResult.Fail("A ticket opens a stream only; send the Authorization or X-Api-Key header here.");
        }

        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        var ticket = await AccessTickets.ConsumeAsync(db, presented.Value, AccessTicketPurpose.Stream, clock.GetUtcNow(), Context.RequestAborted);
        if (ticket is null)
        {
            return AuthenticateResult.Fail("The ticket is unknown, used or expired: ask for a new one.");
        }

        var identity = ticket.UserId is { } userId
            ? await UserIdentityAsync(db, ticket, userId)
            : await ApiKeyIdentityAsync(db, ticket);
        return identity is null
            ? AuthenticateResult.Fail("The credential this ticket was issued to is no longer valid.")
            : AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        await Problems.Write(Context, StatusCodes.Status401Unauthorized, ErrorCodes.InvalidTicket,
            result.Failure?.Message ?? "A valid ticket is required.");
    }

    /// <summary>The claims an access token of that session would carry, read fresh from the user's row.</summary>
    private async Task<ClaimsIdentity?> UserIdentityAsync(PlatformDbContext db, AccessTicket ticket, Guid userId)
    {
        if (ticket.SessionId is not { } sessionId)
        {
            return null;
        }

        if (!sessions.IsLoaded)
        {
            // Fails closed, as for an access token: throws (503) while PostgreSQL cannot say which sessions ended.
            await securityChanges.EnsureLoadedAsync(Context.RequestAborted);
        }

        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Role, u.Email, u.TenantId }).FirstOrDefaultAsync(Context.RequestAborted);
        if (user is null || user.TenantId != ticket.TenantId || sessions.IsRevoked(sessionId))
        {
            return null;
        }

        List<Claim> claims =
        [
            new(PlatformClaims.Subject, userId.ToString()),
            new(PlatformClaims.Role, RoleNames.Of(user.Role)),
            new(PlatformClaims.Email, user.Email),
            new(PlatformClaims.ActorType, PlatformClaims.UserActor),
            new(PlatformClaims.Session, sessionId.ToString()),
        ];
        if (user.TenantId is { } tenantId)
        {
            claims.Add(new Claim(PlatformClaims.Tenant, tenantId.ToString()));
        }

        return new ClaimsIdentity(claims, SchemeName, PlatformClaims.Subject, PlatformClaims.Role);
    }

    /// <summary>The key's claims, read from its row rather than the key cache, so a revocation a moment ago counts.</summary>
    private async Task<ClaimsIdentity?> ApiKeyIdentityAsync(PlatformDbContext db, AccessTicket ticket)
    {
        var now = clock.GetUtcNow();
        var entry = await db.ApiKeys.AsNoTracking()
            .Where(k => k.Id == ticket.ApiKeyId && k.TenantId == ticket.TenantId && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now))
            .Select(k => new ApiKeyEntry(k.Id, k.TenantId, k.KeyHash, k.Scopes, k.AgentId, k.ExpiresAt, k.RevokedAt))
            .FirstOrDefaultAsync(Context.RequestAborted);
        return entry is null ? null : ApiKeyAuthenticationHandler.IdentityOf(entry, SchemeName);
    }
}
