using System.Buffers;
using System.Text;
using System.Text.Json;
using Platform.Data.Json;

namespace Platform.Worker.Webhooks;

/// <summary>
/// The body every delivery of an event posts: <c>{ id, type, timestamp, tenantId, data }</c>, <c>data</c> being the
/// stored resource as the API returns it. Built once per claimed delivery from the stored JSON text, copied token by
/// token (<see cref="JsonTokenCopy"/>) rather than parsed into a document and serialised again: compact, escaped by
/// System.Text.Json's default encoder, the bytes a serialised event has always had.
/// </summary>
public static class WebhookBody
{
    /// <param name="data">The event's <c>data</c> as PostgreSQL returns the jsonb column's text: valid JSON by construction.</param>
    public static byte[] Write(Guid id, string type, DateTimeOffset timestamp, Guid? tenantId, string data)
    {
        var utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(data.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(data, utf8);
            var buffer = new ArrayBufferWriter<byte>(length + 256);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("id", id);
                writer.WriteString("type", type);
                writer.WriteString("timestamp", timestamp);
                if (tenantId is { } tenant)
                {
                    writer.WriteString("tenantId", tenant);
                }
                else
                {
                    writer.WriteNull("tenantId");
                }

                writer.WritePropertyName("data");
                JsonTokenCopy.Copy(utf8.AsSpan(0, length), writer);
                writer.WriteEndObject();
            }

            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }
}
