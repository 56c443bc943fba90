using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Api.Infrastructure;

/// <summary>
/// A string in a request body that PostgreSQL could not store (<see cref="StorableText"/>). The serializer fills in
/// <see cref="JsonException.Path"/>, so the problem names the field.
/// </summary>
public sealed class UnstorableTextException : JsonException
{
    public UnstorableTextException()
        : base(StorableText.Message)
    {
    }

    public UnstorableTextException(string message)
        : base(message)
    {
    }

    public UnstorableTextException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

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

/// <summary>
/// Free-form JSON fields (<c>details</c>, <c>capabilities</c>, <c>config</c>...) are kept as the client sent them, so the
/// built-in converter never decodes their strings; this one walks every property name and string value once and refuses
/// the field when one is not <see cref="StorableText"/> (jsonb refuses <c>\u0000</c>; an unpaired surrogate has no UTF-8).
/// </summary>
public sealed class StorableJsonElementConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var element = JsonElement.ParseValue(ref reader);
        return IsStorable(element) ? element : throw new UnstorableTextException();
    }

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => value.WriteTo(writer);

    private static bool IsStorable(JsonElement element)
    {
        try
        {
            return element.ValueKind switch
            {
                JsonValueKind.Object => element.EnumerateObject().All(p => StorableText.IsStorable(p.Name) && IsStorable(p.Value)),
                JsonValueKind.Array => element.EnumerateArray().All(IsStorable),
                JsonValueKind.String => StorableText.IsStorable(element.GetString()),
                _ => true,
            };
        }
        catch (InvalidOperationException)
        {
            // As in StorableStringConverter: a name or string that does not decode to valid UTF-16.
            return false;
        }
    }
}
