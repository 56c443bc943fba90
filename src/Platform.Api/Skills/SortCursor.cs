using System.Buffers.Text;
using System.Text.Json;
using Platform.Api.Http;

namespace Platform.Api.Skills;

/// <summary>A composite keyset position: the sort value and the id of the last row of a page.</summary>
internal sealed record SortCursor(Guid Id, string? Text, decimal Number)
{
    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this));

    public static SortCursor? Decode(string cursor)
    {
        try
        {
            if (!Base64Url.IsValid(cursor))
            {
                return null;
            }

            var decoded = JsonSerializer.Deserialize<SortCursor>(Base64Url.DecodeFromChars(cursor));

            // The cursor's text goes into the page query: a forged one must hold text PostgreSQL can take.
            return decoded?.Text is { } text && !StorableText.IsStorable(text) ? null : decoded;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
