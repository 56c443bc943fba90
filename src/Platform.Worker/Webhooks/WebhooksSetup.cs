using Microsoft.Extensions.Options;
using Platform.Data.Hosting;
using Platform.Data.Webhooks;

namespace Platform.Worker.Webhooks;

public static class WebhooksSetup
{
    /// <summary>
    /// The webhook delivery loop, its HTTP client (SSRF-guarded) and the LISTEN connection that wakes it; its meter and
    /// span source are named <c>Platform.Worker.Webhooks</c>, which the service defaults' <c>Platform.*</c> already export.
    /// Also the retention job that <see cref="Jobs.RecurringJobs"/> schedules.
    /// </summary>
    public static IHostApplicationBuilder AddWebhookDelivery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<WebhookDeliveryOptions>().BindConfiguration(WebhookDeliveryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<WebhookRetentionOptions>().BindConfiguration(WebhookRetentionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddTransient<WebhookRetentionJob>();
        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddSingleton<WebhookDeliveryStore>();
        builder.Services.AddSingleton<WebhookAttemptRecorder>();
        builder.Services.AddSingleton(sp =>
        {
            var delivery = sp.GetRequiredService<IOptions<WebhookDeliveryOptions>>().Value;
            return new WebhookSender(
                WebhookHttp.Create(sp.GetRequiredService<IOptions<WebhookOptions>>().Value, delivery),
                sp.GetRequiredService<WebhookSecrets>(), delivery, sp.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddSingleton<WebhookWakeUp>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        builder.Services.AddHostedService(sp => new WebhookEventListener(
            sp.GetRequiredService<IConfiguration>().GetConnectionString(PlatformDataHostingExtensions.ConnectionStringName)!,
            sp.GetRequiredService<WebhookWakeUp>(), sp.GetRequiredService<ILogger<WebhookEventListener>>()));
        return builder;
    }
}
