using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Platform.Api.RateLimiting;

namespace Platform.Api.Http;

/// <summary>Problem results with the contract's codes, for handlers (typed results) and middleware (written directly).</summary>
public static class Problems
{
    /// <summary>The title of every validation problem, whichever part of the pipeline refused the request.</summary>
    public const string InvalidFieldsTitle = "One or more fields are invalid.";

    /// <summary>The message for a value that does not bind to its parameter's type.</summary>
    public const string InvalidValueMessage = "The value is not valid here.";

    public static ProblemHttpResult NotFound(string what = "resource") =>
        Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "Not found", $"The {what} does not exist.");

    public static ProblemHttpResult Forbidden(string detail = "You do not have permission for this action.", string code = ErrorCodes.Forbidden) =>
        Create(StatusCodes.Status403Forbidden, code, "Forbidden", detail);

    public static ProblemHttpResult Unauthorized(string code, string detail) =>
        Create(StatusCodes.Status401Unauthorized, code, "Unauthorized", detail);

    public static ProblemHttpResult Conflict(string detail) =>
        Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, "Conflict", detail);

    public static ProblemHttpResult Locked(string detail) =>
        Create(StatusCodes.Status423Locked, ErrorCodes.AccountLocked, "Locked", detail);

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors, int status = StatusCodes.Status400BadRequest) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = status,
            Title = InvalidFieldsTitle,
            Extensions = { ["code"] = ErrorCodes.ValidationFailed },
        });

    public static ProblemHttpResult Create(int status, string code, string title, string detail) =>
        TypedResults.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail, Extensions = { ["code"] = code } });

    /// <summary>For middleware that answers before an endpoint runs.</summary>
    public static async Task Write(HttpContext context, int status, string code, string detail)
    {
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = ReasonPhrase(status), Detail = detail, Extensions = { ["code"] = code } },
        });
    }

    public static Task WriteTooManyRequests(HttpContext context, TimeSpan retryAfter)
    {
        RateLimitSetup.SetRetryAfter(context.Response, retryAfter);
        return Write(context, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "Too many requests; retry after the time in Retry-After.");
    }

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
}
