using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Primitives;

namespace Platform.Api.Http;

/// <summary>
/// Finds the route or query value a parameter failed to bind from, through the endpoint's binding metadata: the
/// framework's binding failure carries only a message, so the typed way to name the field is to parse the endpoint's
/// bound values again as it does. It runs on the error path only: for a <see cref="BadHttpRequestException"/> from binding,
/// and for the bare 400 the Request Delegate Generator gives an unparsable nullable value (<c>?limit=abc</c>, a
/// <see cref="QueryEnum{T}"/> filter), where ThrowOnBadRequest asks it to throw as it does for every other failure.
/// </summary>
internal static class UnparsedParameter
{
    public static string? Find(HttpContext context)
    {
        if (context.GetEndpoint() is not { } endpoint)
        {
            return null;
        }

        foreach (var binding in endpoint.Metadata.GetOrderedMetadata<IParameterBindingMetadata>())
        {
            if (!binding.HasTryParse)
            {
                continue;
            }

            var values = context.Request.RouteValues.TryGetValue(binding.Name, out var routeValue)
                ? new StringValues(routeValue?.ToString())
                : context.Request.Query[binding.Name];
            var type = binding.ParameterInfo.ParameterType;
            type = type.IsArray ? type.GetElementType()! : type;
            if (values.Any(value => !string.IsNullOrEmpty(value) && !Parses(Nullable.GetUnderlyingType(type) ?? type, value)))
            {
                return JsonNamingPolicy.CamelCase.ConvertName(binding.Name);
            }
        }

        return null;
    }

    private static bool Parses(Type type, string value)
    {
        if (type == typeof(string))
        {
            return true;
        }

        if (type.IsEnum)
        {
            return Enum.TryParse(type, value, out _);
        }

        var withProvider = type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static,
            [typeof(string), typeof(IFormatProvider), type.MakeByRefType()]);
        if (withProvider is not null)
        {
            return (bool)withProvider.Invoke(null, [value, CultureInfo.InvariantCulture, null])!;
        }

        var plain = type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), type.MakeByRefType()]);
        return plain is null || (bool)plain.Invoke(null, [value, null])!;
    }
}
