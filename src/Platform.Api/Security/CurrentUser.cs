using System.Security.Claims;

namespace Platform.Api.Security;

/// <summary>
/// Who is calling this request, read once from the authenticated principal (an access token's or an API key's claims) and
/// kept for the request. Handlers, the tenant scope, permission checks and the audit trail read it; nothing else parses claims.
/// </summary>
public sealed class CurrentUser(IHttpContextAccessor accessor)
{
    private ClaimsPrincipal? _readFrom;
    private Actor? _actor;
    private Guid? _sessionId;

    /// <summary>The caller; null when anonymous.</summary>
    public Actor? Actor => Read()._actor;

    /// <summary>The caller of an endpoint that requires authorization, where an anonymous request never gets this far.</summary>
    public Actor Required => Actor ?? throw new InvalidOperationException("No authenticated caller: the endpoint must require authorization.");

    /// <summary>The session an access token belongs to (its refresh-token family); null for an API key or anonymous.</summary>
    public Guid? SessionId => Read()._sessionId;

    // Keyed by the principal, so that a read before authentication does not pin "anonymous" for the rest of the request.
    private CurrentUser Read()
    {
        var principal = accessor.HttpContext?.User;
        if (!ReferenceEquals(principal, _readFrom))
        {
            _readFrom = principal;
            _actor = principal is null ? null : Security.Actor.From(principal);
            _sessionId = _actor is not null && Guid.TryParse(principal!.FindFirstValue(PlatformClaims.Session), out var sid) ? sid : null;
        }

        return this;
    }
}
