using System.Buffers;
using System.Data;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Json;
using Platform.Data.Resources;
using Platform.Data.Tenancy;

namespace Platform.Api.AuditLogs;

/// <summary>
/// The export's hot loop: EF builds the query (the same filter, the model's tenant filter, keyset order by id) and the
/// rows are written as NDJSON straight from the data reader, each field from its typed getter, with no entity, no
/// response record and no serializer per row. The bytes are those <see cref="JsonSerializer"/> writes for
/// <see cref="AuditLogResponse"/> with the API's options: the same names (taken from the options), enum names, dates
/// and nulls; details are copied token by token, as <see cref="JsonElement.WriteTo"/> does.
/// </summary>
internal sealed class AuditLogExport
{
    private const int RowsPerFlush = 500;

    private readonly JsonEncodedText[] _names;

    private AuditLogExport(JsonSerializerOptions options)
    {
        var properties = options.GetTypeInfo(typeof(AuditLogResponse)).Properties
            .ToDictionary(p => (p.AttributeProvider as System.Reflection.MemberInfo)?.Name ?? p.Name, p => p.Name, StringComparer.Ordinal);
        _names = [.. Members.Select(member => JsonEncodedText.Encode(properties[member]))];
    }

    // AuditLogResponse's members, in the order of the query's columns (EF names each column after its member).
    private static readonly string[] Members =
    [
        nameof(AuditLogResponse.Id), nameof(AuditLogResponse.TenantId), nameof(AuditLogResponse.ActorType), nameof(AuditLogResponse.ActorId),
        nameof(AuditLogResponse.Action), nameof(AuditLogResponse.TargetType), nameof(AuditLogResponse.TargetId), nameof(AuditLogResponse.Severity),
        nameof(AuditLogResponse.Details), nameof(AuditLogResponse.IpAddress), nameof(AuditLogResponse.UserAgent), nameof(AuditLogResponse.CreatedAt),
    ];

    private static readonly ConditionalWeakTable<JsonSerializerOptions, AuditLogExport> ByOptions = [];

    /// <summary>The export for the API's serializer options (built once: the names come from its contract).</summary>
    public static AuditLogExport For(JsonSerializerOptions options) => ByOptions.GetValue(options, o => new AuditLogExport(o));

    public async Task WriteAsync(IQueryable<AuditLog> filtered, PlatformReadDbContext db, PipeWriter body, CancellationToken cancellationToken)
    {
        var query = filtered.OrderBy(l => l.Id).Select(l => new
        {
            l.Id, l.TenantId, l.ActorType, l.ActorId, l.Action, l.TargetType, l.TargetId, l.Severity, l.Details, l.IpAddress, l.UserAgent, l.CreatedAt,
        });
        await using var command = query.CreateDbCommand();
        await using var reader = await db.ExecuteTenantReaderAsync(command, CommandBehavior.SequentialAccess, cancellationToken);
        CheckColumns(reader);

        await using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { SkipValidation = true });
        var written = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            WriteRow(reader, writer);
            writer.Flush();
            writer.Reset();
            body.Write("\n"u8);
            if (++written % RowsPerFlush == 0)
            {
                await body.FlushAsync(cancellationToken);
            }
        }
    }

    private void WriteRow(NpgsqlDataReader reader, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString(_names[0], reader.GetGuid(0));
        WriteGuid(writer, _names[1], reader, 1);
        writer.WriteString(_names[2], EnumNames<AuditActorType>.Of(reader.GetFieldValue<AuditActorType>(2)));
        WriteGuid(writer, _names[3], reader, 3);
        writer.WriteString(_names[4], reader.GetString(4));
        if (reader.IsDBNull(5))
        {
            writer.WriteNull(_names[5]);
        }
        else
        {
            writer.WriteString(_names[5], EnumNames<AuditTargetType>.Of(reader.GetFieldValue<AuditTargetType>(5)));
        }

        WriteGuid(writer, _names[6], reader, 6);
        writer.WriteString(_names[7], EnumNames<AuditSeverity>.Of(reader.GetFieldValue<AuditSeverity>(7)));
        writer.WritePropertyName(_names[8]);
        if (reader.IsDBNull(8))
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonTokenCopy.Copy(reader.GetFieldValue<byte[]>(8), writer);
        }

        if (reader.IsDBNull(9))
        {
            writer.WriteNull(_names[9]);
        }
        else
        {
            writer.WriteString(_names[9], reader.GetFieldValue<IPAddress>(9).ToString());
        }

        if (reader.IsDBNull(10))
        {
            writer.WriteNull(_names[10]);
        }
        else
        {
            writer.WriteString(_names[10], reader.GetString(10));
        }

        writer.WriteString(_names[11], reader.GetFieldValue<DateTimeOffset>(11));
        writer.WriteEndObject();
    }

    private static void WriteGuid(Utf8JsonWriter writer, JsonEncodedText name, NpgsqlDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, reader.GetGuid(ordinal));
        }
    }

    // The row is read by position: a change in EF's projection must fail here, not shift every field.
    private static void CheckColumns(NpgsqlDataReader reader)
    {
        var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        if (!names.SequenceEqual(Members, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"The audit export's query returned columns ({string.Join(", ", names)}), expected ({string.Join(", ", Members)}).");
        }
    }

    private static class EnumNames<TEnum>
        where TEnum : struct, Enum
    {
        // As the API's JsonStringEnumConverter names them (HttpSetup).
        private static readonly Dictionary<TEnum, JsonEncodedText> Names = Enum.GetValues<TEnum>()
            .ToDictionary(v => v, v => JsonEncodedText.Encode(JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString())));

        public static JsonEncodedText Of(TEnum value) => Names[value];
    }
}
