using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Platform.Data.Security;

namespace Platform.Api.Security;

/// <summary>
/// Authenticates <c>X-Api-Key</c>: unknown, revoked and expired keys fail (401). An agent's runtime key carries its agent
/// as a claim (<see cref="PlatformClaims.Agent"/>), which <see cref="Actor.AgentId"/> reads.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyDirectory keys,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            return AuthenticateResult.NoResult();
        }

        var key = values[0]!;
        var prefix = ApiKeyFormat.PrefixOf(key);
        var entry = prefix is null ? null : await keys.FindAsync(prefix, Context.RequestAborted);
        if (entry is null || !ApiKeyFormat.Matches(key, entry.KeyHash))
        {
            return AuthenticateResult.Fail("Unknown API key.");
        }

        var now = clock.GetUtcNow();
        if (entry.RevokedAt is not null || entry.ExpiresAt <= now)
        {
            return AuthenticateResult.Fail("The API key is revoked or expired.");
        }

        keys.RecordUse(entry.Id);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(IdentityOf(entry, SchemeName)), SchemeName));
    }

    /// <summary>A key's claims: its id, tenant, scopes and (a runtime key's) agent.</summary>
    public static ClaimsIdentity IdentityOf(ApiKeyEntry entry, string scheme)
    {
        List<Claim> claims =
        [
            new(PlatformClaims.Subject, entry.Id.ToString()),
            new(PlatformClaims.Tenant, entry.TenantId.ToString()),
            new(PlatformClaims.ActorType, PlatformClaims.ApiKeyActor),
            .. entry.Scopes.Select(s => new Claim(PlatformClaims.Scope, s)),
        ];
        if (entry.AgentId is { } agentId)
        {
            claims.Add(new Claim(PlatformClaims.Agent, agentId.ToString()));
        }

        return new ClaimsIdentity(claims, scheme, PlatformClaims.Subject, PlatformClaims.Role);
    }
}
