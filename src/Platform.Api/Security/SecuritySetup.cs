using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Options;
using Platform.Api.Audit;
using Platform.Data.Hosting;
using StackExchange.Redis;

namespace Platform.Api.Security;

public static class SecuritySetup
{
    private const string SmartScheme = "Bearer or ApiKey";

    /// <summary>JWT and API-key authentication, permission policies, the tenant scope, Data Protection and auditing.</summary>
    public static IHostApplicationBuilder AddPlatformSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JwtOptions>().BindConfiguration(JwtOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddHttpContextAccessor();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<TenantDirectory>();
        services.AddSingleton<ApiKeyDirectory>();
        services.AddHostedService<ApiKeyUsageFlusher>();
        services.AddSingleton<CacheInvalidation>();
        services.AddHostedService(sp => sp.GetRequiredService<CacheInvalidation>());
        services.AddScoped<AuditScope>();
        services.AddSingleton<IPlatformDbInterceptor, AuditInterceptor>();

        services.AddAuthentication(SmartScheme)
            .AddPolicyScheme(SmartScheme, SmartScheme, options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>>((bearer, jwt) =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = AccessTokens.ValidationParameters(jwt.Value);
            });
        services.AddAuthorization();
        services.AddPermissionPolicies();

        // MFA secrets are encrypted with keys that every API replica reads from Redis.
        services.AddDataProtection().SetApplicationName("platform");
        services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer>((options, redis) =>
            options.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), "platform:data-protection-keys"));
        return builder;
    }
}
