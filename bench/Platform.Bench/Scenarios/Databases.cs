using Platform.Migrator;

namespace Platform.Bench;

/// <summary>One-statement helpers on a connection string of their own, for seeding and checks.</summary>
internal static class Sql
{
    public static async Task<int> ExecuteAsync(string connectionString, string sql, IDictionary<string, object>? parameters = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, IDictionary<string, object>? parameters = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>The Worker's DbContext options, as WorkerFixture builds them (application role, row-level security on).</summary>
    public static DbContextOptions<PlatformDbContext> AppOptions(string connectionString)
    {
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, connectionString);
        return options.Options;
    }

    /// <summary>Drops a scenario's own database (never the shared one), closing this process's pooled connections to it first.</summary>
    public static async Task DropAsync(LocalPostgres server, string name, params string[] connectionStrings)
    {
        ClearPools(connectionStrings);
        try
        {
            // FORCE ends the sessions the job's EF data sources may still hold on it.
            await ExecuteAsync(server.ConnectionString(), $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
        catch (NpgsqlException ex)
        {
            Console.WriteLine($"could not drop {name}: {ex.Message}");
        }
    }

    public static Task DropAsync(PlatformDatabase database) =>
        DropAsync(database.Server, database.Name, database.OwnerConnectionString, database.AppConnectionString);

    public static void ClearPools(params string[] connectionStrings)
    {
        foreach (var connectionString in connectionStrings)
        {
            using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, IDictionary<string, object>? parameters)
    {
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 900 };
        foreach (var (name, value) in parameters ?? new Dictionary<string, object>()) command.Parameters.AddWithValue(name, value);

        return command;
    }
}

/// <summary>
/// A scenario's database seeded once and measured on file-level copies (CREATE DATABASE ... TEMPLATE), so that each
/// measurement starts from the same pages. The template is migrated with pooling off (no idle session may stay on it).
/// </summary>
internal sealed class TemplateDatabase(LocalPostgres server, string name) : IAsyncDisposable
{
    public string Name => name;
    public string OwnerConnectionString => server.ConnectionString(name);
    public string AppConnectionString => server.ConnectionString(name, PlatformDatabase.AppRole, PlatformDatabase.AppRolePassword);

    public static async Task<TemplateDatabase> CreateAsync(LocalPostgres server, string prefix)
    {
        var database = new TemplateDatabase(server, $"{prefix}_{Guid.NewGuid().ToString("N")[..12]}");
        await new PlatformMigrator(database.OwnerConnectionString + ";Pooling=false", PlatformDatabase.Options, NullLogger.Instance).RunAsync(CancellationToken.None);
        return database;
    }

    public async Task<TemplateDatabase> CopyAsync(string suffix)
    {
        var copy = new TemplateDatabase(server, $"{name}_{suffix}_{Guid.NewGuid().ToString("N")[..6]}");
        for (var attempt = 1; ; attempt++)
        {
            Sql.ClearPools(OwnerConnectionString, AppConnectionString);
            try
            {
                // FILE_COPY: the copy's files are the template's, not WAL-logged page by page.
                await Sql.ExecuteAsync(server.ConnectionString(), $"CREATE DATABASE \"{copy.Name}\" TEMPLATE \"{name}\" STRATEGY FILE_COPY");
                break;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 5)
            {
                Console.WriteLine($"{name}: the template is in use; retrying");
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }

        await Sql.ExecuteAsync(server.ConnectionString(), "CHECKPOINT");
        return copy;
    }

    public async ValueTask DisposeAsync() => await Sql.DropAsync(server, name, OwnerConnectionString, AppConnectionString);
}

/// <summary>A clean-up run at the end of an <c>await using</c> scope (a scenario's own database, containers).</summary>
internal sealed class Finally(Func<Task> cleanUp) : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await cleanUp();
}
