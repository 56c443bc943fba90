using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Platform.Data.Replication;

/// <summary>
/// Registers <see cref="PlatformReadDbContext"/>'s factory: over the primary alone without a replica; else routed
/// between the replica and the primary by <see cref="ReplicaMonitor"/>, with its probe loop, options (section
/// <c>Data</c>, validated at start) and the <c>replica</c> health check.
/// </summary>
internal static class ReadRoutingSetup
{
    public const string HealthCheckName = "replica";

    public static void AddReadRouting(this IHostApplicationBuilder builder, string primaryConnectionString, string primaryReadConnectionString, string? replicaConnectionString)
    {
        var configured = !string.IsNullOrWhiteSpace(replicaConnectionString);
        builder.Services.AddSingleton<IValidateOptions<ReplicaOptions>, ReplicaOptionsValidator>();
        builder.Services.AddOptions<ReplicaOptions>().BindConfiguration(ReplicaOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ReplicaMonitor>(services, configured));
        builder.Services.AddHealthChecks().AddCheck<ReplicaHealthCheck>(HealthCheckName, HealthStatus.Degraded);

        if (!configured)
        {
            builder.Services.AddPooledDbContextFactory<PlatformReadDbContext>(options => Configure(options, primaryReadConnectionString));
            return;
        }

        builder.Services.AddSingleton<IDbContextFactory<PlatformReadDbContext>>(services => new RoutedReadContextFactory(
            replicaConnectionString!, Options(primaryReadConnectionString), services.GetRequiredService<ReplicaMonitor>()));
        builder.Services.AddSingleton(services => new ReplicaProbe(
            replicaConnectionString!, primaryConnectionString,
            services.GetRequiredService<IOptions<ReplicaOptions>>().Value.ReplicaProbeTimeout, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<ReplicaMonitorService>();
        builder.Services.AddSingleton(services => new ReplicaFallback(
            services.GetRequiredService<IDbContextFactory<PlatformReadDbContext>>(), services.GetRequiredService<ReplicaMonitor>()));
    }

    private static DbContextOptions<PlatformReadDbContext> Options(string connectionString)
    {
        var options = new DbContextOptionsBuilder<PlatformReadDbContext>();
        Configure(options, connectionString);
        return options.Options;
    }

    private static void Configure(DbContextOptionsBuilder options, string connectionString)
    {
        PlatformDbContext.Configure(options, connectionString);
        options.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
    }
}
