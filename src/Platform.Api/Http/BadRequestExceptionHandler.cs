using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Platform.Api.Http;

/// <summary>
/// Malformed JSON, wrong types, unknown fields, text PostgreSQL cannot store and oversized bodies become a 400 (413,
/// 415) problem that names the field, instead of a bare 400 or a 500. The field comes from the typed information the
/// framework gives: <see cref="JsonException.Path"/> for a body, the endpoint's binding metadata for a parameter.
/// </summary>
internal sealed class BadRequestExceptionHandler(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        switch (badRequest.StatusCode)
        {
            case StatusCodes.Status400BadRequest:
                var (field, message) = Describe(httpContext, badRequest);
                await Problems.Validation(field, message).ExecuteAsync(httpContext);
                break;
            case StatusCodes.Status413PayloadTooLarge:
                await Problems.Write(httpContext, badRequest.StatusCode, ErrorCodes.PayloadTooLarge, "The request body is too large.");
                break;
            case StatusCodes.Status415UnsupportedMediaType:
                await Problems.Write(httpContext, badRequest.StatusCode, ErrorCodes.UnsupportedMediaType, "Send the body as application/json.");
                break;
            default:
                await Problems.Write(httpContext, badRequest.StatusCode, ErrorCodes.ForStatus(badRequest.StatusCode), "The request could not be read.");
                break;
        }

        return true;
    }

    private (string Field, string Message) Describe(HttpContext context, BadHttpRequestException exception) => exception.InnerException switch
    {
        UnstorableTextException text => (FieldOf(text.Path), StorableText.Message),

        // The reader's own syntax errors carry the reader's exception (a JsonException) inside the serializer's.
        JsonException { InnerException: JsonException } => ("body", "The body is not valid JSON."),
        JsonException other when Declares(context, other.Path) => (FieldOf(other.Path), "The value has the wrong type or format."),
        JsonException other => (FieldOf(other.Path), "Unknown or read-only field."),
        _ when UnparsedParameter.Find(context) is { } parameter => (parameter, Problems.InvalidValueMessage),
        _ when !HasBody(context) => ("body", "A JSON body is required."),
        _ => ("request", exception.Message),
    };

    /// <summary>Whether the body type declares the member the path ends at (false: the client sent an unknown field).</summary>
    private bool Declares(HttpContext context, string? path) =>
        path is null
        || context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is not { } bodyType
        || JsonBodyMembers.IsDeclared(json.Value.SerializerOptions, bodyType, path);

    private static bool HasBody(HttpContext context) =>
        context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false && context.Request.ContentLength != 0;

    /// <summary>The path without its root; a member name that is itself unstorable text is left out (its parent is named).</summary>
    private static string FieldOf(string? path)
    {
        var field = path?.TrimStart('$', '.') ?? "";
        var bad = StorableText.IndexOfUnstorable(field);
        if (bad >= 0)
        {
            field = field[..Math.Max(0, field.AsSpan(0, bad).LastIndexOfAny('.', '['))];
        }

        return field.Length == 0 ? "body" : field;
    }
}
