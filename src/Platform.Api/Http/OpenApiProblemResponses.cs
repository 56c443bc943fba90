using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Platform.Api.Http;

/// <summary>
/// Adds the problem responses each operation can give, derived from what the endpoint declares
/// (authorization, route ids, body, method), so the document lists every status a client must handle.
/// </summary>
internal sealed class OpenApiProblemResponses : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        if (description.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) != true)
        {
            return;
        }

        var metadata = description.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var authorized = !anonymous && metadata.OfType<IAuthorizeData>().Any();
        var hasInput = description.ParameterDescriptions.Count > 0;
        var mutates = description.HttpMethod is "POST" or "PUT" or "PATCH" or "DELETE";

        var problem = await context.GetOrCreateSchemaAsync(typeof(ApiProblem), null, cancellationToken);
        var validation = await context.GetOrCreateSchemaAsync(typeof(ApiValidationProblem), null, cancellationToken);
        operation.Responses ??= [];

        if (hasInput)
        {
            Add(operation, "400", "Invalid input (code validation_failed, errors per field).", validation);
        }

        if (authorized)
        {
            Add(operation, "401", "Missing, invalid or expired credentials (code unauthorized).", problem);
            Add(operation, "403", "Not permitted (code forbidden) or tenant suspended (code tenant_suspended).", problem);
        }
        else if (description.RelativePath!.Contains("auth/", StringComparison.Ordinal))
        {
            Add(operation, "401", "Invalid credentials, MFA required or token reused (see code).", problem);
        }

        if (description.RelativePath!.Contains('{', StringComparison.Ordinal) || authorized)
        {
            Add(operation, "404", "Not found, or another tenant's resource (code not_found).", problem);
        }

        if (mutates)
        {
            Add(operation, "409", "Conflicts with the current state (code conflict).", problem);
        }

        if (description.HttpMethod is "POST" or "PUT" or "PATCH")
        {
            Add(operation, "413", "The body is too large (code payload_too_large).", problem);
            Add(operation, "415", "The body is not sent as application/json (code unsupported_media_type).", problem);
        }

        Add(operation, "429", "Rate limited (code rate_limited); see Retry-After.", problem);
        Add(operation, "503", "The database is unavailable (code service_unavailable); retry after Retry-After.", problem);
    }

    private static void Add(OpenApiOperation operation, string status, string text, IOpenApiSchema schema)
    {
        operation.Responses!.TryAdd(status, new OpenApiResponse
        {
            Description = text,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schema } },
        });
    }
}
