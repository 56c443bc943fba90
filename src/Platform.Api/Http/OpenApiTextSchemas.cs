using System.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Platform.Api.Http;

/// <summary>
/// Strings are read through <see cref="StorableStringConverter"/>, and the schema generator describes a value behind a
/// custom converter as "anything" (<c>{}</c>): generated clients would type every text field as unknown. This puts back
/// <c>type: string</c>, with <c>null</c> where the property is declared nullable, and the items of a list of strings.
/// </summary>
internal sealed class OpenApiTextSchemas : IOpenApiSchemaTransformer
{
    private readonly NullabilityInfoContext _nullability = new();

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.ElementType == typeof(string) && schema.Type?.HasFlag(JsonSchemaType.Array) == true && schema.Items is null)
        {
            schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
            return Task.CompletedTask;
        }

        if (context.JsonTypeInfo.Type != typeof(string) || schema.Type is not null)
        {
            return Task.CompletedTask;
        }

        schema.Type = IsNullable(context.JsonPropertyInfo?.AttributeProvider)
            ? JsonSchemaType.String | JsonSchemaType.Null
            : JsonSchemaType.String;
        return Task.CompletedTask;
    }

    private bool IsNullable(ICustomAttributeProvider? member)
    {
        // One context per transformer instance: NullabilityInfoContext caches and is not thread-safe.
        lock (_nullability)
        {
            return member switch
            {
                PropertyInfo property => _nullability.Create(property).ReadState == NullabilityState.Nullable,
                FieldInfo field => _nullability.Create(field).ReadState == NullabilityState.Nullable,
                _ => false,
            };
        }
    }
}
