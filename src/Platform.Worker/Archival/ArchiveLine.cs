using System.Buffers.Text;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Platform.Worker.Archival;

/// <summary>
/// One audit row as an archive line, written from the fields of <see cref="ArchiveFileWriter"/>'s COPY:
/// <c>{"id":…,"tenantId":…,"actorType":…,"actorId":…,"action":…,"targetType":…,"targetId":…,"severity":…,
/// "details":…,"ipAddress":…,"userAgent":…,"createdAt":"yyyy-MM-ddTHH:mm:ss.ffffffZ"}</c>. The id comes first
/// (<see cref="TryReadId(ReadOnlySpan{char}, out Guid)"/> reads it from there) and created_at always has six fractional digits
/// in UTC, so lines sort as their rows do.
/// </summary>
internal static class ArchiveLine
{
    public const int FieldCount = 12;

    /// <summary>How long a line's start up to the end of its id is: <c>{"id":"</c>, 36 characters and <c>"</c>.</summary>
    public const int IdPrefixLength = 44;

    private const int IdStart = 7;

    /// <summary>Only what JSON requires is escaped: the archive is a file, never HTML, and keeps non-ASCII text readable.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private static readonly JsonEncodedText[] Names =
    [
        JsonEncodedText.Encode("id"), JsonEncodedText.Encode("tenantId"), JsonEncodedText.Encode("actorType"),
        JsonEncodedText.Encode("actorId"), JsonEncodedText.Encode("action"), JsonEncodedText.Encode("targetType"),
        JsonEncodedText.Encode("targetId"), JsonEncodedText.Encode("severity"), JsonEncodedText.Encode("details"),
        JsonEncodedText.Encode("ipAddress"), JsonEncodedText.Encode("userAgent"), JsonEncodedText.Encode("createdAt"),
    ];

    private enum Kind
    {
        Uuid,
        Text,
        Json,
    }

    private static readonly Kind[] Kinds = [Kind.Uuid, Kind.Uuid, Kind.Text, Kind.Uuid, Kind.Text, Kind.Text, Kind.Uuid, Kind.Text, Kind.Json, Kind.Text, Kind.Text];

    /// <summary>Writes the reader's current tuple; returns its created_at and id.</summary>
    public static (DateTimeOffset CreatedAt, Guid Id) Write(Utf8JsonWriter json, BinaryCopyReader reader)
    {
        json.WriteStartObject();
        for (var i = 0; i < Kinds.Length; i++)
        {
            if (reader.IsNull(i))
            {
                json.WriteNull(Names[i]);
                continue;
            }

            switch (Kinds[i])
            {
                case Kind.Uuid:
                    json.WriteString(Names[i], reader.Uuid(i));
                    break;
                case Kind.Text:
                    json.WriteString(Names[i], reader.Field(i));
                    break;
                default:
                    json.WritePropertyName(Names[i]);
                    json.WriteRawValue(reader.Field(i), skipInputValidation: true);
                    break;
            }
        }

        var createdAt = reader.TimestampTz(11);
        Span<byte> formatted = stackalloc byte[32];
        if (!createdAt.UtcDateTime.TryFormat(formatted, out var length, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException($"created_at {createdAt:O} cannot be formatted.");
        }

        json.WriteString(Names[11], formatted[..length]);
        json.WriteEndObject();
        return (createdAt, reader.Uuid(0));
    }

    /// <summary>The row id a line (or the start of one) begins with; false when it does not begin as this class writes lines.</summary>
    public static bool TryReadId(ReadOnlySpan<char> line, out Guid id)
    {
        id = default;
        return line.Length >= IdPrefixLength && line.StartsWith("{\"id\":\"", StringComparison.Ordinal) && line[IdPrefixLength - 1] == '"'
            && Guid.TryParseExact(line.Slice(IdStart, 36), "D", out id);
    }

    /// <inheritdoc cref="TryReadId(ReadOnlySpan{char}, out Guid)"/>
    public static bool TryReadId(ReadOnlySpan<byte> line, out Guid id)
    {
        id = default;
        return line.Length >= IdPrefixLength && line.StartsWith("{\"id\":\""u8) && line[IdPrefixLength - 1] == (byte)'"'
            && Utf8Parser.TryParse(line.Slice(IdStart, 36), out id, out var consumed, 'D') && consumed == 36;
    }
}
