using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;

namespace Platform.Api.Http;

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
