using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Platform.Data;
using Platform.Tests.Support;

namespace Platform.Bench.Scenarios;

/// <summary>The databases a scenario creates for itself: the Worker's DbContext options on them, and dropping them.</summary>
internal static class ScenarioDatabases
{
    /// <summary>The Worker's DbContext options, as WorkerFixture builds them (application role, row-level security on), plus interceptors.</summary>
    public static DbContextOptions<PlatformDbContext> AppOptions(string connectionString, params IInterceptor[] interceptors)
    {
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, connectionString);
        if (interceptors.Length > 0)
        {
            options.AddInterceptors(interceptors);
        }

        return options.Options;
    }

    /// <summary>Closes this process's idle pooled connections of each connection string.</summary>
    public static void ClearPools(params string[] connectionStrings)
    {
        foreach (var connectionString in connectionStrings)
        {
            using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }
    }

    /// <summary>Drops a scenario's own database (never the shared one), closing this process's pooled connections to it first.</summary>
    public static Task DropAsync(PlatformDatabase database) =>
        DropAsync(database.Server, database.Name, database.OwnerConnectionString, database.AppConnectionString);

    public static async Task DropAsync(LocalPostgres server, string name, params string[] connectionStrings)
    {
        ClearPools(connectionStrings);
        try
        {
            // FORCE ends the sessions the job's EF data sources may still hold on it.
            await Sql.ExecuteAsync(server.ConnectionString(), $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
        catch (NpgsqlException ex)
        {
            Console.WriteLine($"could not drop {name}: {ex.Message}");
        }
    }
}
