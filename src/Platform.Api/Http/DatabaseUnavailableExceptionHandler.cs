using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;

namespace Platform.Api.Http;

/// <summary>
/// A request that failed because PostgreSQL is unreachable or restarting is answered 503 <c>service_unavailable</c> with
/// <c>Retry-After</c>, as the contract promises, instead of a 500: the client did nothing wrong and the same request may
/// succeed shortly. A write answered so either was not committed or, if the connection broke during COMMIT itself, its
/// outcome is unknown, as with any request whose answer is lost; retrying a create may then meet a 409.
/// </summary>
internal sealed partial class DatabaseUnavailableExceptionHandler(ILogger<DatabaseUnavailableExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>A restart (fast shutdown, then start) takes a few seconds; clients retry after about that long.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!exception.IsDatabaseUnavailable())
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
        httpContext.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        await Problems.Write(httpContext, StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
            "The database is unavailable; retry after the time in Retry-After.");
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: the database is unavailable ({Reason})")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string reason);
}
