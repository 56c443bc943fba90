using System.Diagnostics;
using Hangfire.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Data;
using Platform.Data.Tenancy;

namespace Platform.Migrator;

/// <summary>
/// Brings a database to the current schema: EF Core migrations, the Hangfire schema, the
/// application role with its grants, row-level security, then idempotent seed data.
/// Every step can run again without changing anything.
/// </summary>
public sealed class PlatformMigrator(string ownerConnectionString, MigratorOptions options, ILogger logger)
{
    public const string ConnectionStringName = "platformdb";
    public const string HangfireSchema = "hangfire";

    /// <summary>Entry point of the executable: turns every expected failure into one clear log line and exit code 1.</summary>
    public static async Task<int> RunFromHostAsync(IServiceProvider services, IConfiguration configuration, ILogger logger)
    {
        MigratorOptions options;
        try
        {
            options = services.GetRequiredService<IOptions<MigratorOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            logger.LogCritical("Migrator settings are invalid: {Failures}", string.Join("; ", ex.Failures));
            return 1;
        }

        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            logger.LogCritical("ConnectionStrings:{Name} is not set: the Migrator needs the owner's connection string", ConnectionStringName);
            return 1;
        }

        try
        {
            await new PlatformMigrator(connectionString, options, logger).RunAsync(CancellationToken.None);
            return 0;
        }
        catch (MigrationFailedException ex)
        {
            logger.LogCritical("Migration failed: {Reason}", ex.Message);
            logger.LogDebug(ex.InnerException, "Details of the failure");
            return 1;
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "Migration failed: {Reason}", ex.Message);
            return 1;
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var target = new NpgsqlConnectionStringBuilder(ownerConnectionString);
        logger.LogInformation("Migrating database {Database} on {Host}:{Port}", target.Database, target.Host, target.Port);

        await DatabaseBootstrap.EnsureDatabaseAsync(target, TimeSpan.FromSeconds(options.ConnectTimeoutSeconds), logger, cancellationToken);

        await using (var context = CreateContext(platformScope: false))
        {
            var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            logger.LogInformation("Applying {Count} EF Core migration(s): {Migrations}", pending.Count, pending.Count == 0 ? "none" : string.Join(", ", pending));
            await context.Database.MigrateAsync(cancellationToken);
        }

        await using var dataSource = NpgsqlDataSource.Create(ownerConnectionString);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            logger.LogInformation("Installing the Hangfire schema {Schema}", HangfireSchema);
            PostgreSqlObjectsInstaller.Install(connection, HangfireSchema);
        }

        await using (var context = CreateContext(platformScope: false))
        {
            await DatabaseSecurity.ApplyAsync(dataSource, context.Model, options, logger, cancellationToken);
        }

        await using (var context = CreateContext(platformScope: true))
        {
            await SeedData.ApplyAsync(context, options, logger, cancellationToken);
        }

        logger.LogInformation("Database {Database} is ready ({Elapsed} ms)", target.Database, total.ElapsedMilliseconds);
    }

    private PlatformDbContext CreateContext(bool platformScope)
    {
        var builder = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(builder, ownerConnectionString, typeof(PlatformMigrator).Assembly.GetName().Name);
        var tenant = new TenantContext();
        if (platformScope)
        {
            // The owner is subject to FORCE'd row-level security unless it is a superuser.
            tenant.UsePlatformScope();
        }

        return PlatformDbContext.Create(builder.Options, tenant);
    }
}
