using System.Text.Json;
using Platform.Data.Webhooks;
using Platform.Worker.Webhooks;

namespace Platform.Worker.Tests;

/// <summary>
/// The body built from the stored jsonb text is byte for byte what serialising the event gives (compact, escaped by
/// System.Text.Json's default encoder), however PostgreSQL spaced and escaped the text it returned.
/// </summary>
public sealed class WebhookBodyTests
{
    // As PostgreSQL prints jsonb: a space after ':' and ',', non-ASCII and HTML characters unescaped, numbers as stored.
    private const string StoredData =
        """{"n": 12345678901234567890, "big": 2.50, "name": "Zoë <b>&'🙂", "esc": "a\"b\\c\u0001\n", "nested": {"list": [1, -0.5e3, true, false, null, []], "empty": {}}}""";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_body_is_what_serialising_the_event_gives(bool withTenant)
    {
        var (id, tenantId, timestamp) = (Guid.NewGuid(), withTenant ? Guid.NewGuid() : (Guid?)null, new DateTimeOffset(2026, 12, 5, 5, 20, 1, 123, TimeSpan.Zero).AddTicks(4567));
        using var data = JsonDocument.Parse(StoredData);
        var serialised = JsonSerializer.SerializeToUtf8Bytes(
            new { id, type = "alert.raised", timestamp, tenantId, data = data.RootElement }, WebhookOutbox.Json);

        var body = WebhookBody.Write(id, "alert.raised", timestamp, tenantId, StoredData);

        Assert.Equal(System.Text.Encoding.UTF8.GetString(serialised), System.Text.Encoding.UTF8.GetString(body));
    }
}
