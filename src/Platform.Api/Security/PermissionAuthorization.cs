using Microsoft.AspNetCore.Authorization;

namespace Platform.Api.Security;

/// <summary>One authorization policy per permission, named after it: <c>.RequireAuthorization(Permissions.TeamManage)</c>.</summary>
public static class PermissionAuthorization
{
    public static IServiceCollection AddPermissionPolicies(this IServiceCollection services)
    {
        // Scoped: it reads the request's CurrentUser (authorization resolves its handlers from the request's services).
        services.AddScoped<IAuthorizationHandler, PermissionHandler>();
        var authorization = services.AddAuthorizationBuilder();
        foreach (var permission in Permissions.All)
        {
            authorization.AddPolicy(permission, policy => policy
                .RequireAuthenticatedUser()
                .AddRequirements(new PermissionRequirement(permission)));
        }

        return services;
    }

    private sealed record PermissionRequirement(string Permission) : IAuthorizationRequirement;

    private sealed class PermissionHandler(CurrentUser caller) : AuthorizationHandler<PermissionRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
        {
            if (caller.Actor?.Has(requirement.Permission) == true)
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }
}
