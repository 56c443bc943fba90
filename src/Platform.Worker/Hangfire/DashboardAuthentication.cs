using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Platform.Data.Hosting;
using Platform.ServiceDefaults.Tickets;

namespace Platform.Worker.Hangfire;

/// <summary>
/// Who may open the jobs dashboard outside Development: a platform admin, signed in either by the API's access token
/// (same key, issuer and audience) or, for a browser that cannot send one on a page load, by the cookie that
/// <see cref="DashboardSignIn"/> sets for a dashboard ticket. The cookie is protected with the Data Protection key ring
/// in PostgreSQL, so every worker replica reads it. Refusals are problem details (401 with <c>WWW-Authenticate</c>, 403).
/// </summary>
public static class DashboardAuthentication
{
    public const string CookieScheme = "DashboardCookie";
    public const string PlatformAdminPolicy = "dashboard:platform_admin";
    public const string PlatformAdminRole = "platform_admin";

    /// <summary>How long a dashboard sign-in lasts; a new ticket signs in again.</summary>
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromMinutes(30);

    private const string SmartScheme = "Bearer or cookie";

    public static IHostApplicationBuilder AddDashboardAuthentication(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformDataProtection();
        TicketRedactingContextFactory.Register(builder.Services);
        var jwt = builder.Configuration.GetSection("Jwt");
        var key = jwt["SigningKey"];
        builder.Services.AddAuthentication(SmartScheme)
            .AddPolicyScheme(SmartScheme, SmartScheme, options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.Authorization) ? JwtBearerDefaults.AuthenticationScheme : CookieScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt["Issuer"] ?? "platform",
                    ValidAudience = jwt["Audience"] ?? "platform-api",
                    // Without a key no token validates: the dashboard stays closed outside Development.
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key is { Length: >= 32 } ? key : Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"))),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    NameClaimType = "sub",
                    RoleClaimType = "role",
                };
                options.Events = new JwtBearerEvents
                {
                    OnChallenge = context =>
                    {
                        context.HandleResponse();
                        return DashboardProblems.UnauthorizedAsync(context.HttpContext, "unauthorized", "The access token is not valid. " + DashboardProblems.SignInHint);
                    },
                    OnForbidden = context => DashboardProblems.ForbiddenAsync(context.HttpContext),
                };
            })
            .AddCookie(CookieScheme, options =>
            {
                options.Cookie.Name = "platform.dashboard";
                options.Cookie.Path = HangfireSetup.DashboardPath;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = CookieLifetime;
                options.SlidingExpiration = false;
                options.Events.OnRedirectToLogin = context =>
                    DashboardProblems.UnauthorizedAsync(context.HttpContext, "unauthorized", DashboardProblems.SignInHint);
                options.Events.OnRedirectToAccessDenied = context => DashboardProblems.ForbiddenAsync(context.HttpContext);
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(PlatformAdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(PlatformAdminRole));
        return builder;
    }
}
