using Npgsql;

namespace Platform.Bench.Scenarios;

/// <summary>One-statement helpers on a connection string of their own, for seeding, checks and plans.</summary>
internal static class Sql
{
    /// <summary>The platform scope the Worker's jobs run in, set for the current transaction.</summary>
    public const string PlatformScope = "SELECT set_config('app.is_platform_admin', 'on', true)";

    private const int TimeoutSeconds = 900;

    /// <summary>Runs one statement (one implicit transaction) and returns the rows it affected.</summary>
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
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The text of EXPLAIN (ANALYZE, BUFFERS) of a statement, inside a transaction that is rolled back.</summary>
    public static async Task<string> ExplainAnalyzeAsync(string connectionString, string statement, string? prelude = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (prelude is not null)
        {
            await using var setup = new NpgsqlCommand(prelude, connection, transaction);
            await setup.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + statement, connection, transaction) { CommandTimeout = TimeoutSeconds };
        var lines = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                // Long filters (an inline array of ids) are cut: the plan's shape and timings are what matter.
                var line = reader.GetString(0);
                lines.Add(line.Length > 300 ? line[..300] + " …" : line);
            }
        }

        await transaction.RollbackAsync();
        return string.Join('\n', lines);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, IDictionary<string, object>? parameters)
    {
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = TimeoutSeconds };
        foreach (var (name, value) in parameters ?? new Dictionary<string, object>())
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
