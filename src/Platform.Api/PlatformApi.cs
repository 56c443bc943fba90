using Platform.Api.ApiKeys;
using Platform.Api.Auth;
using Platform.Api.Team;
using Platform.Api.Tenants;

namespace Platform.Api;

public static class PlatformApi
{
    /// <summary>Maps every feature's routes under <c>/api/v1</c>.</summary>
    public static RouteGroupBuilder MapPlatformApi(this RouteGroupBuilder api)
    {
        api.MapAuth();
        api.MapTenants();
        api.MapTeam();
        api.MapInviteAcceptance();
        api.MapApiKeys();
        return api;
    }

    public static IServiceCollection AddPlatformFeatures(this IServiceCollection services)
    {
        services.AddOptions<AbuseLimitOptions>().BindConfiguration(AbuseLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RefreshTokens>();
        services.AddSingleton<LoginGuard>();
        services.AddSingleton<Mfa>();
        services.AddSingleton<Invites>();
        return services;
    }
}
