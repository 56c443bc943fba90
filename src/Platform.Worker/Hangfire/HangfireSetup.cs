using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Options;
using Platform.Data.Hosting;

namespace Platform.Worker.Hangfire;

public static class HangfireSetup
{
    /// <summary>Hangfire's tables live in their own schema, installed by the Migrator (the app role creates nothing).</summary>
    public const string Schema = "hangfire";
    public const string DashboardPath = "/hangfire";

    public static IHostApplicationBuilder AddPlatformHangfire(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HangfireServerSettings>()
            .BindConfiguration(HangfireServerSettings.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var connectionString = builder.Configuration.GetConnectionString(PlatformDataHostingExtensions.ConnectionStringName)!;
        builder.Services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                storage => storage.UseNpgsqlConnection(connectionString),
                new PostgreSqlStorageOptions
                {
                    SchemaName = Schema,
                    PrepareSchemaIfNecessary = false,
                    UseSlidingInvisibilityTimeout = true,
                    InvisibilityTimeout = HangfireTimings.InvisibilityTimeout,
                    QueuePollInterval = HangfireTimings.QueuePollInterval,
                    DistributedLockTimeout = HangfireTimings.DistributedLockTimeout,
                }));

        builder.Services.AddHangfireServer((services, server) =>
        {
            var settings = services.GetRequiredService<IOptions<HangfireServerSettings>>().Value;
            server.WorkerCount = settings.WorkerCount;
            server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
            server.HeartbeatInterval = HangfireTimings.HeartbeatInterval;
            server.ServerTimeout = HangfireTimings.ServerTimeout;
            server.ServerCheckInterval = HangfireTimings.ServerCheckInterval;
        });

        builder.Services.AddHealthChecks().AddCheck<HangfireHealthCheck>("hangfire", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return builder;
    }

    public static WebApplication MapPlatformHangfireDashboard(this WebApplication app)
    {
        var dashboard = app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            DashboardTitle = "Platform jobs",
            Authorization = [new DashboardAuthorizationFilter(app.Environment)],
            IsReadOnlyFunc = _ => !app.Environment.IsDevelopment(),
        });
        if (!app.Environment.IsDevelopment())
        {
            dashboard.RequireAuthorization(DashboardAuthentication.PlatformAdminPolicy);
        }

        app.MapDashboardSignIn();
        return app;
    }
}
