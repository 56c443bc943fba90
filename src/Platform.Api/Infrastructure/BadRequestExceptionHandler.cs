using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace Platform.Api.Infrastructure;

/// <summary>
/// Malformed JSON, wrong types, unknown fields and oversized bodies become a 400 (or 413) problem
/// that names the field, instead of a bare 400 or a 500.
/// </summary>
internal sealed partial class BadRequestExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        if (badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await Problems.Write(httpContext, StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, "The request body is too large.");
            return true;
        }

        var (field, message) = Describe(badRequest);
        await Problems.Validation(field, message).ExecuteAsync(httpContext);
        return true;
    }

    private static (string Field, string Message) Describe(BadHttpRequestException exception)
    {
        if (exception.InnerException is JsonException json)
        {
            var unmapped = UnmappedProperty().Match(json.Message);
            if (unmapped.Success)
            {
                return (unmapped.Groups[1].Value, "Unknown or read-only field.");
            }

            var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
            return (field, json.Path is null ? "The body is not valid JSON." : "The value has the wrong type or format.");
        }

        var binding = FailedBinding().Match(exception.Message);
        if (binding.Success)
        {
            return (JsonNamingPolicy.CamelCase.ConvertName(binding.Groups[1].Value), Problems.InvalidValueMessage);
        }

        return ("request", exception.Message);
    }

    [GeneratedRegex("Failed to bind parameter \"[^\" ]+ ([^\"]+)\"")]
    private static partial Regex FailedBinding();

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedProperty();
}
