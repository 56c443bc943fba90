namespace Platform.Api.Security;

/// <summary>Claim names shared by access tokens and API-key principals.</summary>
public static class PlatformClaims
{
    public const string Subject = "sub";
    public const string Tenant = "tid";
    public const string Role = "role";
    public const string Email = "email";
    public const string Scope = "scope";
    public const string ActorType = "act";

    /// <summary>The agent an agent's runtime key is bound to; absent on every other credential.</summary>
    public const string Agent = "agent";

    /// <summary>The session an access token belongs to: its refresh-token family, revoked with it.</summary>
    public const string Session = "sid";
    public const string ApiKeyActor = "api_key";
    public const string UserActor = "user";
}
