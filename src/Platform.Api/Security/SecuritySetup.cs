using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Platform.Api.Audit;
using Platform.Data.Hosting;
using Platform.ServiceDefaults.Tickets;

namespace Platform.Api.Security;

public static class SecuritySetup
{
    private const string SmartScheme = "Bearer or ApiKey";

    /// <summary>JWT and API-key authentication, permission policies, the tenant scope, Data Protection and auditing.</summary>
    public static IHostApplicationBuilder AddPlatformSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JwtOptions>().BindConfiguration(JwtOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddMemoryCache();
        services.AddHttpContextAccessor();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<TenantDirectory>();
        services.AddSingleton<ApiKeyDirectory>();
        services.AddHostedService<ApiKeyUsageFlusher>();
        services.AddOptions<SecurityChangeOptions>().BindConfiguration(SecurityChangeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SessionRevocations>();
        services.AddSingleton<SecurityChangeFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<SecurityChangeFeed>());
        services.AddScoped<CurrentUser>();
        services.AddScoped<AuditTrail>();

        services.AddAuthentication(SmartScheme)
            .AddPolicyScheme(SmartScheme, SmartScheme, options => options.ForwardDefaultSelector = SchemeOf)
            .AddJwtBearer()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, StreamTicketAuthenticationHandler>(StreamTicketAuthenticationHandler.SchemeName, null);
        TicketRedactingContextFactory.Register(services);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>>((bearer, jwt) =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = AccessTokens.ValidationParameters(jwt.Value);
                bearer.Events = new JwtBearerEvents { OnTokenValidated = EndedSessions.RefuseAsync };
            });
        services.AddAuthorization();
        services.AddPermissionPolicies();

        // MFA and channel secrets are encrypted with keys that every API replica reads from PostgreSQL.
        builder.AddPlatformDataProtection();
        return builder;
    }

    /// <summary>A header wins over a ticket: the ticket is for clients that cannot send one.</summary>
    private static string SchemeOf(HttpContext context) =>
        context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName) ? ApiKeyAuthenticationHandler.SchemeName
        : !context.Request.Headers.ContainsKey(HeaderNames.Authorization) && context.Features.Get<PresentedTicket>() is not null
            ? StreamTicketAuthenticationHandler.SchemeName
            : JwtBearerDefaults.AuthenticationScheme;
}
