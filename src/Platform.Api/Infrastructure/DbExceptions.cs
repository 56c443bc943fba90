using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Platform.Api.Infrastructure;

public static class DbExceptions
{
    /// <summary>True when a unique constraint refused the save: a concurrent duplicate, answered 409.</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
