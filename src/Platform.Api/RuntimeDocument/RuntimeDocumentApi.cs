using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.RuntimeDocument;

public static class RuntimeDocumentApi
{
    public const string AuditAction = "agent.runtime_read";

    public static RouteGroupBuilder MapRuntimeDocument(this RouteGroupBuilder api)
    {
        api.MapGet("/agents/{id:guid}/runtime", GetAsync).WithTags("Agents").RequireAuthorization(Permissions.RuntimeRead)
            .Produces(StatusCodes.Status304NotModified)
            .AddOpenApiOperationTransformer(DescribeETag)
            .WithSummary("The agent's runtime document, secrets in clear, with an ETag (only the agent's own runtime key).");
        return api;
    }

    private static async Task<Results<Ok<RuntimeDocumentResponse>, StatusCodeHttpResult, ProblemHttpResult>> GetAsync(
        Guid id, [FromHeader(Name = "If-None-Match")] string? ifNoneMatch, PlatformDbContext db, RuntimeDocuments documents,
        CurrentUser caller, AuditTrail audit, HttpContext http, CancellationToken cancellationToken)
    {
        // Only a runtime key has the permission, and only for its own agent; to it, every other agent is missing.
        if (!caller.Required.MayActFor(id) || await documents.LoadAsync(db, id, cancellationToken) is not { } state)
        {
            return Problems.NotFound("agent");
        }

        var etag = RuntimeDocuments.ETagOf(state);
        http.Response.Headers.ETag = etag.ToString();
        if (Matches(ifNoneMatch, etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        // Every 200 hands out secrets in clear: its audit row is saved before the answer leaves (a 304 reveals nothing).
        var (document, revealed) = documents.Reveal(state);
        audit.RecordSecretRead(db, AuditAction, AuditTargetType.Agent, id, state.TenantId, revealed);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(document);
    }

    /// <summary>If-None-Match compares weakly (RFC 9110): <c>*</c> or any listed tag with the same opaque value matches.</summary>
    private static bool Matches(string? ifNoneMatch, EntityTagHeaderValue etag) =>
        ifNoneMatch is not null && EntityTagHeaderValue.TryParseList([ifNoneMatch], out var tags)
            && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false));

    private static Task DescribeETag(OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var etag = new OpenApiHeader { Description = "Strong entity tag of the document; send it back in If-None-Match.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
        foreach (var (status, description) in new[] { ("200", "The runtime document."), ("304", "Unchanged since the ETag in If-None-Match; no body.") })
        {
            if (operation.Responses?.TryGetValue(status, out var response) == true && response is OpenApiResponse concrete)
            {
                concrete.Description = description;
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers["ETag"] = etag;
            }
        }

        return Task.CompletedTask;
    }
}
