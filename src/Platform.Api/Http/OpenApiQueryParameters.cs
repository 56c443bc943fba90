using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Platform.Api.Http;

/// <summary>
/// Query parameters as clients write them: camelCase names (binding ignores case), and
/// <see cref="QueryEnum{T}"/> filters as the string enums they accept.
/// </summary>
internal sealed class OpenApiQueryParameters : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Query) ?? [])
        {
            var description = context.Description.ParameterDescriptions
                .FirstOrDefault(d => string.Equals(d.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
            parameter.Name = JsonNamingPolicy.CamelCase.ConvertName(parameter.Name!);

            var type = description?.Type is { } t ? Nullable.GetUnderlyingType(t) ?? t : null;
            if (type is { IsGenericType: true } && type.GetGenericTypeDefinition() == typeof(QueryEnum<>) && parameter.Schema is OpenApiSchema schema)
            {
                schema.Type = JsonSchemaType.String;
                schema.Enum = [.. Enum.GetNames(type.GetGenericArguments()[0])
                    .Select(n => (JsonNode)JsonValue.Create(JsonNamingPolicy.SnakeCaseLower.ConvertName(n)))];
            }
        }

        return Task.CompletedTask;
    }
}
