using System.Diagnostics;
using Npgsql;

namespace Platform.Migrator;

/// <summary>Waits for the server and creates the database if it does not exist yet.</summary>
internal static class DatabaseBootstrap
{
    public static async Task EnsureDatabaseAsync(
        NpgsqlConnectionStringBuilder target, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var attempt = 0;
        while (true)
        {
            attempt++;
            try
            {
                await using var connection = new NpgsqlConnection(target.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
            {
                await CreateDatabaseAsync(target, logger, cancellationToken);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
            {
                throw new MigrationFailedException(
                    $"PostgreSQL at {target.Host}:{target.Port} refused user '{target.Username}': {ex.MessageText}", ex);
            }
            catch (Exception ex) when (IsTransient(ex) && waited.Elapsed < timeout)
            {
                logger.LogWarning("PostgreSQL at {Host}:{Port} is not reachable yet (attempt {Attempt}): {Reason}", target.Host, target.Port, attempt, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), cancellationToken);
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                throw new MigrationFailedException(
                    $"PostgreSQL at {target.Host}:{target.Port} is unreachable after {waited.Elapsed.TotalSeconds:F0} s: {ex.Message}", ex);
            }
        }
    }

    private static async Task CreateDatabaseAsync(NpgsqlConnectionStringBuilder target, ILogger logger, CancellationToken cancellationToken)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        logger.LogInformation("Creating database {Database}", target.Database);
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE {QuoteIdentifier(target.Database!)}";
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another migrator created it first.
        }
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        NpgsqlException { IsTransient: true } => true,
        PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow } => true,
        NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException or IOException } => true,
        TimeoutException => true,
        _ => false,
    };

    internal static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
