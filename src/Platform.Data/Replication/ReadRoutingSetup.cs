using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
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
            builder.Services.AddPooledDbContextFactory<PlatformReadDbContext>((services, options) =>
                Configure(options, primaryReadConnectionString, WriteModel(services)));
            return;
        }

        builder.Services.AddSingleton<IDbContextFactory<PlatformReadDbContext>>(services =>
        {
            var model = WriteModel(services);
            return new RoutedReadContextFactory(replicaConnectionString!, Options(primaryReadConnectionString, model), model, services.GetRequiredService<ReplicaMonitor>());
        });
        builder.Services.AddSingleton(services => new ReplicaProbe(
            replicaConnectionString!, primaryConnectionString,
            services.GetRequiredService<IOptions<ReplicaOptions>>().Value.ReplicaProbeTimeout, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<ReplicaMonitorService>();
        builder.Services.AddSingleton(services => new ReplicaFallback(
            services.GetRequiredService<IDbContextFactory<PlatformReadDbContext>>(), services.GetRequiredService<ReplicaMonitor>()));
    }

    /// <summary>
    /// The write context's model, which the read context uses as its own: the read context adds no entity, so EF would
    /// otherwise build and cache a second copy of the same model for the second context type, a start-up cost (bench
    /// P8) and as much memory again. The tenant filters stay right: they refer to whichever PlatformDbContext runs the
    /// query (<see cref="Tenancy.TenantQueryFilters"/>), and the tenant interceptor is in the options, not the model.
    /// </summary>
    private static IModel WriteModel(IServiceProvider services)
    {
        using var db = services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContext();
        return db.Model;
    }

    private static DbContextOptions<PlatformReadDbContext> Options(string connectionString, IModel model)
    {
        var options = new DbContextOptionsBuilder<PlatformReadDbContext>();
        Configure(options, connectionString, model);
        return options.Options;
    }

    private static void Configure(DbContextOptionsBuilder options, string connectionString, IModel model)
    {
        PlatformDbContext.Configure(options, connectionString);
        options.UseModel(model).UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
    }
}
