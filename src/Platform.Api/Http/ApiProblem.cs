namespace Platform.Api.Http;

/// <summary>The shape of every error response, as the OpenAPI document describes it (RFC 7807 plus code and traceId).</summary>
public record ApiProblem(string Type, string Title, int Status, string? Detail, string Instance, string Code, string TraceId);

/// <summary>A validation problem: <c>errors</c> maps each invalid field to its messages.</summary>
public sealed record ApiValidationProblem(
    string Type, string Title, int Status, string? Detail, string Instance, string Code, string TraceId, IDictionary<string, string[]> Errors)
    : ApiProblem(Type, Title, Status, Detail, Instance, Code, TraceId);
