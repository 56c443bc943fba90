using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Platform.Runtime;

namespace Platform.Api.Http;

/// <summary>
/// An endpoint that needs the agent runtime (logs, wake, restart) while it does not answer is answered 503
/// <c>runtime_unavailable</c> with <c>Retry-After</c>; nothing else in the API depends on the runtime.
/// </summary>
internal sealed partial class RuntimeUnavailableExceptionHandler(ILogger<RuntimeUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not RuntimeUnavailableException unavailable || httpContext.Response.HasStarted)
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, unavailable.Message);
        httpContext.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        await Problems.Write(httpContext, StatusCodes.Status503ServiceUnavailable, ErrorCodes.RuntimeUnavailable,
            "The agent runtime is unavailable; retry after the time in Retry-After.");
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: the agent runtime is unavailable ({Reason})")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string reason);
}
