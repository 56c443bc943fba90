using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Platform.Data.Replication;
using Platform.Data.Tenancy;

namespace Platform.Data.Hosting;

public static class PlatformDataHostingExtensions
{
    /// <summary>Name of the connection string the API and the Worker use: the application role, never the owner.</summary>
    public const string ConnectionStringName = "platformdb";

    /// <summary>Optional read replica for the reporting reads; without it, or while it is down or lagging, they use the primary.</summary>
    public const string ReadConnectionStringName = "platformdb-read";

    /// <summary>
    /// The request-serving pool's default cap, 4 connections per core. More queries in flight than that only wait in the
    /// database server's scheduler instead of the pool's queue, which is first come, first served: against Npgsql's
    /// default of 100, the small cap lowered the tail latency at the same throughput (bench P1) and raised the activity
    /// posts a second with less PostgreSQL CPU per post (bench P2).
    /// </summary>
    public static int DefaultRequestPoolSize { get; } = 4 * Environment.ProcessorCount;

    /// <summary>
    /// Registers <see cref="PlatformDbContext"/> (scoped, with the tenant interceptor) and a scoped
    /// <see cref="TenantContext"/>, enriched by Aspire with health check, tracing and metrics.
    /// </summary>
    /// <param name="builder">The host to register the data services in.</param>
    /// <param name="exportsTelemetry">
    /// Whether the host sends telemetry anywhere (ServiceDefaults' <c>ExportsTelemetry()</c>): the context's spans and
    /// metrics are recorded only then.
    /// </param>
    /// <param name="sessionStateFree">
    /// True for a host that never leaves session state on a connection (the API: its tenant settings are
    /// transaction-local). Its pooled connections then skip the DISCARD ALL that Npgsql otherwise sends on
    /// every reuse, a statement per request, and keep their prepared statements: the API's statements are prepared
    /// automatically after a few uses (parse and plan once per connection, which cuts PostgreSQL's CPU per activity
    /// post, bench P2). The worker holds session advisory locks and keeps the reset.
    /// Its pool is also capped at <see cref="DefaultRequestPoolSize"/> unless the connection string sets a Maximum Pool Size.
    /// </param>
    public static IHostApplicationBuilder AddPlatformData(this IHostApplicationBuilder builder, bool exportsTelemetry, bool sessionStateFree = false)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set: it must name the PostgreSQL application role's connection.");
        }

        // The read context's fallback (and, without a replica, its only server) reaches the primary through a pool of its
        // own when the request pool gets the default cap (the two connection strings then differ), so long reads such as
        // an audit export never hold the request pool's few connections.
        var replicaConnectionString = builder.Configuration.GetConnectionString(ReadConnectionStringName);
        var primaryConnectionString = connectionString;
        var primaryReadConnectionString = connectionString;
        if (sessionStateFree)
        {
            var pooled = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true, MaxAutoPrepare = 50 };
            primaryReadConnectionString = pooled.ConnectionString;

            // The builder holds only the keywords the string set, under Npgsql's canonical names, whichever spelling was used.
            if (!pooled.Keys.Cast<string>().Contains("Maximum Pool Size"))
            {
                pooled.MaxPoolSize = DefaultRequestPoolSize;
            }

            connectionString = pooled.ConnectionString;
        }

        builder.Services.AddScoped<TenantContext>();

        // Pooled: a request rents a context and gives it the request's TenantContext, which the
        // middleware fills in before the handler's first query.
        builder.Services.AddPooledDbContextFactory<PlatformDbContext>(options => PlatformDbContext.Configure(options, connectionString));
        builder.Services.AddScoped(services =>
            services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContext(services.GetRequiredService<TenantContext>()));

        // Retries are off: requests open their own transactions, which a retrying strategy refuses.
        builder.EnrichNpgsqlDbContext<PlatformDbContext>(settings =>
        {
            settings.DisableRetry = true;
            settings.DisableTracing = !exportsTelemetry;
            settings.DisableMetrics = !exportsTelemetry;
        });

        // Reporting reads: the replica while it answers within Data:MaxReplicaLag, else the primary.
        builder.AddReadRouting(primaryConnectionString, primaryReadConnectionString, replicaConnectionString);
        builder.Services.AddScoped(services =>
            services.GetRequiredService<IDbContextFactory<PlatformReadDbContext>>().CreateDbContext(services.GetRequiredService<TenantContext>()));
        builder.Services.AddHostedService<DataWarmup>();
        return builder;
    }
}
