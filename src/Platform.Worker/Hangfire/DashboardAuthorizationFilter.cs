using Hangfire.Dashboard;

namespace Platform.Worker.Hangfire;

/// <summary>
/// The jobs dashboard is open in Development and for platform admins only elsewhere. The endpoint's policy
/// (<see cref="DashboardAuthentication.PlatformAdminPolicy"/>) refuses everyone else first, with a problem body; this is
/// Hangfire's own check behind it.
/// </summary>
internal sealed class DashboardAuthorizationFilter(IWebHostEnvironment environment) : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        if (environment.IsDevelopment())
        {
            return true;
        }

        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true && user.IsInRole(DashboardAuthentication.PlatformAdminRole);
    }
}
