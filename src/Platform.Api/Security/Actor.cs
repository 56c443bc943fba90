using System.Security.Claims;
using Platform.Data.Entities;

namespace Platform.Api.Security;

/// <summary>Who is calling, read from the authenticated principal (no database round trip).</summary>
/// <param name="AgentId">Set for an agent's runtime key: the one agent it may act for (see <see cref="MayActFor"/>).</param>
public sealed record Actor(
    AuditActorType Type, Guid Id, Guid? TenantId, UserRole? Role, IReadOnlyList<string> Permissions, Guid? AgentId = null)
{
    public bool IsPlatformAdmin => Role == UserRole.PlatformAdmin;

    public bool Has(string permission) => Permissions.Contains(permission, StringComparer.Ordinal);

    /// <summary>
    /// False when a runtime key asks about any agent but its own. Endpoints a runtime key reaches answer that with 404, as
    /// for a missing agent: an agent must not learn that other agents exist.
    /// </summary>
    public bool MayActFor(Guid agentId) => AgentId is null || AgentId == agentId;

    /// <summary>Parses the principal's claims; <see cref="CurrentUser"/> does this once per request for everyone else.</summary>
    public static Actor? From(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true || !Guid.TryParse(principal.FindFirstValue(PlatformClaims.Subject), out var id))
        {
            return null;
        }

        Guid? tenantId = Guid.TryParse(principal.FindFirstValue(PlatformClaims.Tenant), out var tid) ? tid : null;
        if (principal.FindFirstValue(PlatformClaims.ActorType) == PlatformClaims.ApiKeyActor)
        {
            var scopes = principal.FindAll(PlatformClaims.Scope).Select(c => c.Value);
            Guid? agentId = Guid.TryParse(principal.FindFirstValue(PlatformClaims.Agent), out var aid) ? aid : null;
            return new Actor(AuditActorType.ApiKey, id, tenantId, null, Security.Permissions.ForApiKey(scopes, agentId), agentId);
        }

        var role = RoleNames.Parse(principal.FindFirstValue(PlatformClaims.Role));
        return role is null ? null : new Actor(AuditActorType.User, id, tenantId, role, Security.Permissions.ForRole(role.Value));
    }
}
