using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Api.Http;

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
