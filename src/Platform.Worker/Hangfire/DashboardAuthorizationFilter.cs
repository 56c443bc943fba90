using Hangfire.Dashboard;

namespace Platform.Worker.Hangfire;

/// <summary>The jobs dashboard is open in Development and for platform admins only elsewhere.</summary>
internal sealed class DashboardAuthorizationFilter(IWebHostEnvironment environment) : IDashboardAuthorizationFilter
{
    public const string PlatformAdminRole = "platform_admin";

    public bool Authorize(DashboardContext context)
    {
        if (environment.IsDevelopment())
        {
            return true;
        }

        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true && user.IsInRole(PlatformAdminRole);
    }
}
