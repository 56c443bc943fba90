using System.Text.Json;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Platform.Data.Configurations;

/// <summary>
/// Stores an enum as its snake_case name in a text column: for internal states that are not part of the data model's
/// PostgreSQL enum types. Unknown text fails loudly rather than mapping to a default.
/// </summary>
internal sealed class TextEnumConverter<TEnum>() : ValueConverter<TEnum, string>(value => ToText(value), text => FromText(text))
    where TEnum : struct, Enum
{
    private static readonly Dictionary<TEnum, string> Names = Enum.GetValues<TEnum>()
        .ToDictionary(v => v, v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()));

    private static readonly Dictionary<string, TEnum> Values = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>A check constraint that admits exactly the names, for <c>HasCheckConstraint</c>.</summary>
    public static string Check(string column) => $"{column} IN ({string.Join(", ", Names.Values.Select(n => $"'{n}'"))})";

    private static string ToText(TEnum value) => Names[value];

    private static TEnum FromText(string text) =>
        Values.TryGetValue(text, out var value) ? value : throw new InvalidOperationException($"'{text}' is not a {typeof(TEnum).Name}.");
}
