using System.Text.Json;

namespace Platform.Api.Http;

/// <summary>
/// An enum in a query string, written as on the wire (<c>?status=tool_call</c>): minimal APIs bind enums
/// by their C# names only, so filters use this wrapper.
/// </summary>
public readonly record struct QueryEnum<T>(T Value) where T : struct, Enum
{
    private static readonly Dictionary<string, T> ByName =
        Enum.GetValues<T>().ToDictionary(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()), v => v, StringComparer.Ordinal);

#pragma warning disable CA1000 // Minimal APIs bind a query value through a static TryParse on the type itself.
    public static bool TryParse(string? value, IFormatProvider? provider, out QueryEnum<T> result)
    {
        if (value is not null && ByName.TryGetValue(value, out var parsed))
        {
            result = new QueryEnum<T>(parsed);
            return true;
        }

        result = default;
        return false;
    }
#pragma warning restore CA1000

    public static implicit operator T(QueryEnum<T> value) => value.Value;

    public override string ToString() => JsonNamingPolicy.SnakeCaseLower.ConvertName(Value.ToString());
}
