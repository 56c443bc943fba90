using System.Buffers;
using System.Text.Json;
using Platform.Data.Entities;

namespace Platform.Worker.Webhooks;

/// <summary>
/// The body every delivery of an event posts: <c>{ id, type, timestamp, tenantId, data }</c>, <c>data</c> being the
/// stored resource as the API returns it. Built once per claimed delivery straight from the stored JSON text (written as
/// it is, not parsed and serialised again), so the bytes signed are the bytes sent.
/// </summary>
public static class WebhookBody
{
    /// <param name="data">The event's <c>data</c> as PostgreSQL returns the jsonb column's text: valid JSON by construction.</param>
    public static byte[] Write(Guid id, string type, DateTimeOffset timestamp, Guid? tenantId, string data) =>
        Write(id, type, timestamp, tenantId, writer => writer.WriteRawValue(data, skipInputValidation: true));

    /// <summary>The body of an event as an entity (what the outbox writes), for callers that hold one.</summary>
    public static byte[] Write(WebhookEvent e) => Write(e.Id, e.Type, e.CreatedAt, e.TenantId, writer => e.Data.RootElement.WriteTo(writer));

    private static byte[] Write(Guid id, string type, DateTimeOffset timestamp, Guid? tenantId, Action<Utf8JsonWriter> data)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
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
            data(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
