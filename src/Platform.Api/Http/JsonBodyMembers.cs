using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Platform.Api.Http;

/// <summary>
/// Follows a <see cref="JsonException.Path"/> (<c>$.toolPolicy.approvalRules[0].tool</c>, <c>$['odd name']</c>) through the
/// serializer's metadata for the body type, the same metadata the body was read with, to tell an unknown member from a
/// known one whose value was wrong.
/// </summary>
internal static class JsonBodyMembers
{
    public static bool IsDeclared(JsonSerializerOptions options, Type bodyType, string path)
    {
        var comparison = options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var info = options.GetTypeInfo(bodyType);
        foreach (var (name, isIndex) in Segments(path))
        {
            Type? next;
            if (info.Kind == JsonTypeInfoKind.Object && !isIndex)
            {
                next = info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, comparison))?.PropertyType;
                if (next is null)
                {
                    return false;
                }
            }
            else
            {
                // A list element or a dictionary value: any index or key is declared by the element type.
                next = info.ElementType;
            }

            if (next is null)
            {
                return true;
            }

            info = options.GetTypeInfo(next);
        }

        return true;
    }

    private static IEnumerable<(string? Name, bool IsIndex)> Segments(string path)
    {
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                yield return (path[(i + 1)..end], false);
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    yield break;
                }

                yield return (path[(i + 2)..end], false);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0)
                {
                    yield break;
                }

                yield return (null, true);
                i = end + 1;
            }
            else
            {
                yield break;
            }
        }
    }
}
