using System.Text.Json;
using Platform.Api.Http;

namespace Platform.Api.Skills;

/// <summary>A composite keyset position: the sort value and the id of the last row of a page.</summary>
internal sealed record SortCursor(Guid Id, string? Text, decimal Number)
{
    public string Encode() => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(this)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static SortCursor? Decode(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 += new string('=', (4 - base64.Length % 4) % 4);
            var decoded = JsonSerializer.Deserialize<SortCursor>(Convert.FromBase64String(base64));

            // The cursor's text goes into the page query: a forged one must hold text PostgreSQL can take.
            return decoded?.Text is { } text && !StorableText.IsStorable(text) ? null : decoded;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
