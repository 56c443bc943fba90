using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Api.Http;
using Platform.Api.Security;

namespace Platform.Api.Team;

internal static class TeamScope
{
    /// <summary>The tenant to act on, or the problem to answer.</summary>
    public static (Guid TenantId, ProblemHttpResult? Problem) Resolve(CurrentUser caller, TenantSelector selector)
    {
        var actor = caller.Required;
        if (actor.IsPlatformAdmin)
        {
            return selector.TenantId is { } chosen
                ? (chosen, null)
                : (Guid.Empty, Problems.Validation("tenantId", "Platform admins name the tenant with ?tenantId=."));
        }

        if (actor.TenantId is not { } own || (selector.TenantId is { } other && other != own))
        {
            return (Guid.Empty, Problems.NotFound("tenant"));
        }

        return (own, null);
    }
}
