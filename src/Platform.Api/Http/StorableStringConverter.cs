using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Api.Http;

/// <summary>
/// Every string a body binds to, in any contract type, list or dictionary key, is read through this one converter and
/// refused when it is not <see cref="StorableText"/>. Writing is the built-in behaviour.
/// </summary>
public sealed class StorableStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => ReadChecked(ref reader),

        // A number or object where text belongs: the same "wrong type" error the built-in converter gives.
        _ => throw new JsonException(),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadChecked(ref reader);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    private static string ReadChecked(ref Utf8JsonReader reader)
    {
        string value;
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // On a string or property-name token this is the reader's one refusal: an escaped unpaired surrogate, or
            // bytes that are not UTF-8. Both are text that cannot be stored.
            throw new UnstorableTextException();
        }

        return StorableText.IsStorable(value) ? value : throw new UnstorableTextException();
    }
}
