using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Platform.Api.Http;

public static class DbExceptions
{
    /// <summary>True when a unique constraint refused the save: a concurrent duplicate, answered 409.</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>
    /// True when the database could not be reached or went away under the request: a refused or broken connection, a
    /// timeout or an exhausted pool (Npgsql marks these transient), or the server saying it is shutting down, starting up,
    /// out of connections or has lost the connection (SQLSTATE class 08, 57P01-57P03, 53300). The same request may succeed
    /// later, so it is answered 503, never 500. EF Core wraps these (DbUpdateException, or InvalidOperationException from
    /// its execution strategy), so the whole chain is searched.
    /// </summary>
    public static bool IsDatabaseUnavailable(this Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState
                        is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                        or PostgresErrorCodes.TooManyConnections;
                case NpgsqlException npgsql:
                    return npgsql.IsTransient;
            }
        }

        return false;
    }
}
