using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Platform.Data.Configurations;

/// <summary>
/// Maps a typed record to a jsonb column through System.Text.Json. A value conversion rather than
/// EF's ComplexProperty().ToJson() because the column must stay a plain property to carry a GIN index.
/// </summary>
public static class JsonColumn
{
    public static JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property)
        where T : class?
    {
        // Records holding lists compare by reference, so change tracking compares the serialized form.
        var comparer = new ValueComparer<T>(
            (a, b) => Serialize(a) == Serialize(b),
            v => Serialize(v).GetHashCode(StringComparison.Ordinal),
            v => Deserialize<T>(Serialize(v)));

        property.HasConversion(v => Serialize(v), s => Deserialize<T>(s), comparer);
        property.HasColumnType("jsonb");
        return property;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, SerializerOptions);

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, SerializerOptions)!;
}
