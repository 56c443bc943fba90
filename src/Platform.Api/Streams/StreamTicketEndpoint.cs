using Microsoft.OpenApi;
using Platform.ServiceDefaults.Tickets;

namespace Platform.Api.Streams;

/// <summary>
/// Marks the endpoints a stream ticket may open (<c>?ticket=</c> in place of the Authorization header); on every other
/// endpoint a ticket is refused. <see cref="Query"/> narrows it to the streaming form of an endpoint (logs with follow=true).
/// </summary>
public sealed record StreamTicketEndpoint(string? Query = null, string? Value = null)
{
    public bool Accepts(HttpRequest request) =>
        Query is null || string.Equals(request.Query[Query], Value, StringComparison.OrdinalIgnoreCase);
}

public static class StreamTicketEndpoints
{
    /// <summary>Lets a stream ticket open this endpoint, and documents the <c>ticket</c> query parameter.</summary>
    public static RouteHandlerBuilder AcceptsStreamTicket(this RouteHandlerBuilder endpoint, string? onlyWithQuery = null, string? value = null) =>
        endpoint.WithMetadata(new StreamTicketEndpoint(onlyWithQuery, value))
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = TicketQuery.ParameterName,
                    In = ParameterLocation.Query,
                    Description = "A stream ticket from POST /api/v1/streams/tickets, for clients that cannot send headers (EventSource): "
                        + "single use, valid briefly, in place of the Authorization or X-Api-Key header"
                        + (onlyWithQuery is null ? "." : $"; only with {onlyWithQuery}={value}."),
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
                return Task.CompletedTask;
            });
}
