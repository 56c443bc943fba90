using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Data.Tenancy;

namespace Platform.Data.Hosting;

public static class PlatformDataHostingExtensions
{
    /// <summary>Name of the connection string the API and the Worker use: the application role, never the owner.</summary>
    public const string ConnectionStringName = "platformdb";

    /// <summary>Optional read replica; without it the read context uses the primary.</summary>
    public const string ReadConnectionStringName = "platformdb-read";

    /// <summary>
    /// Registers <see cref="PlatformDbContext"/> (scoped, with the tenant interceptor) and a scoped
    /// <see cref="TenantContext"/>, enriched by Aspire with health check, tracing and metrics.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformData(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set: it must name the PostgreSQL application role's connection.");
        }

        builder.Services.AddScoped<TenantContext>();
        // Options are a singleton so that services outside a request (caches, flushers) can open a
        // context with a scope of their own; the interceptors read per-request state themselves.
        builder.Services.AddDbContext<PlatformDbContext>(
            (services, options) =>
            {
                PlatformDbContext.Configure(options, connectionString);
                options.AddInterceptors(services.GetServices<IPlatformDbInterceptor>());
            },
            contextLifetime: ServiceLifetime.Scoped,
            optionsLifetime: ServiceLifetime.Singleton);

        // Retries are off: requests open their own transactions, which a retrying strategy refuses.
        builder.EnrichNpgsqlDbContext<PlatformDbContext>(settings => settings.DisableRetry = true);

        var readConnectionString = builder.Configuration.GetConnectionString(ReadConnectionStringName);
        builder.Services.AddDbContext<PlatformReadDbContext>(
            (services, options) =>
            {
                PlatformDbContext.Configure(options, string.IsNullOrWhiteSpace(readConnectionString) ? connectionString : readConnectionString);
                options.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
            },
            contextLifetime: ServiceLifetime.Scoped,
            optionsLifetime: ServiceLifetime.Singleton);
        return builder;
    }
}
