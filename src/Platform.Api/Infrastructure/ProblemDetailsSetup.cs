using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;

namespace Platform.Api.Infrastructure;

/// <summary>
/// Every error leaves as RFC 7807 <c>application/problem+json</c> with a stable <c>code</c> and the
/// <c>traceId</c> that finds the request in the dashboard.
/// </summary>
public static class ProblemDetailsSetup
{
    public static IHostApplicationBuilder AddPlatformProblemDetails(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            problem.Extensions.TryAdd("code", ErrorCodes.ForStatus(status));
            problem.Extensions.TryAdd("traceId", Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier);
            problem.Instance ??= context.HttpContext.Request.Path;
            if (problem is HttpValidationProblemDetails validation)
            {
                ValidationNames.ToJsonNames(validation);
            }
            else if (status == StatusCodes.Status400BadRequest && !problem.Extensions.ContainsKey("errors")
                && UnparsedParameter.Find(context.HttpContext) is { } field)
            {
                problem.Title = Problems.InvalidFieldsTitle;
                problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [Problems.InvalidValueMessage] };
            }

            if (Equals(problem.Extensions["code"], ErrorCodes.InternalError) && context.HttpContext.Features.Get<IExceptionHandlerFeature>() is not null)
            {
                // Never leak exception text to clients; the trace id leads to it.
                problem.Detail = "An unexpected error occurred.";
            }
        });
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>();
        builder.Services.AddExceptionHandler<RuntimeUnavailableExceptionHandler>();
        return builder;
    }
}

/// <summary>The stable error codes of the API contract.</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string QuotaExceeded = "quota_exceeded";
    public const string RateLimited = "rate_limited";
    public const string MfaRequired = "mfa_required";
    public const string InvalidCredentials = "invalid_credentials";
    public const string AccountLocked = "account_locked";
    public const string TokenReused = "token_reused";
    public const string TenantSuspended = "tenant_suspended";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string ServiceUnavailable = "service_unavailable";
    public const string RuntimeUnavailable = "runtime_unavailable";
    public const string InternalError = "internal_error";

    public static string ForStatus(int status) => status switch
    {
        400 or 422 => ValidationFailed,
        401 => Unauthorized,
        403 => Forbidden,
        404 => NotFound,
        409 => Conflict,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        423 => AccountLocked,
        429 => RateLimited,
        503 => ServiceUnavailable,
        >= 500 => InternalError,
        _ => "error",
    };
}
