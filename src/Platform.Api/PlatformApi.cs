using Microsoft.Extensions.Options;
using Platform.Api.Activities;
using Platform.Api.Agents;
using Platform.Api.Alerts;
using Platform.Api.ApiKeys;
using Platform.Api.AuditLogs;
using Platform.Api.Auth;
using Platform.Api.Channels;
using Platform.Api.Containers;
using Platform.Api.Metrics;
using Platform.Api.PlatformOverview;
using Platform.Api.RuntimeDocument;
using Platform.Api.Skills;
using Platform.Api.Streams;
using Platform.Api.Team;
using Platform.Api.Tenants;
using Platform.Api.Webhooks;
using Platform.Data.Webhooks;

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
        api.MapAgents();
        api.MapAgentRuntime();
        api.MapRuntimeDocument();
        api.MapChannels();
        api.MapActivities();
        api.MapMetrics();
        api.MapSkills();
        api.MapSkillInstallations();
        api.MapContainerHealth();
        api.MapAlerts();
        api.MapAuditLogs();
        api.MapPlatformOverview();
        api.MapStreamTickets();
        api.MapWebhooks();
        return api;
    }

    public static IServiceCollection AddPlatformFeatures(this IServiceCollection services)
    {
        services.AddOptions<AbuseLimitOptions>().BindConfiguration(AbuseLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RefreshTokens>();
        services.AddSingleton<LoginGuard>();
        services.AddSingleton<Mfa>();
        services.AddSingleton<Invites>();
        services.AddSingleton<ChannelSecrets>();
        services.AddSingleton<ActivityFeedStore>();
        services.AddSingleton<ActivityFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<ActivityFeed>());
        services.AddOptions<StreamOptions>().BindConfiguration(StreamOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ActivityStream>();
        services.AddSingleton<AgentWaker>();
        services.AddSingleton<AgentRestarter>();
        services.AddOptions<ModelProviderOptions>().Configure<IConfiguration>(ModelProviderOptions.Bind).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ModelProviderOptions>, ModelProviderOptionsValidator>();
        services.AddSingleton<RuntimeDocuments>();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WebhookSecrets>();
        return services;
    }
}
