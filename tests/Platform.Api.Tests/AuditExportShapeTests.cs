using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Platform.Api.Tests;

/// <summary>
/// The export writes its rows from the data reader, not through the serializer: each line must be byte for byte the
/// item the audit list (serialized as ever) returns for the same row, on rows that cover every column, each null, and
/// details with nesting, arrays, numbers, escapes and text an encoder escapes. The list answers with ASP.NET Core's
/// relaxed encoder while the export has always written with System.Text.Json's default one (which escapes quotes, HTML
/// characters and non-ASCII as \uXXXX), so the item is compared after being written again with the default encoder.
/// </summary>
public sealed class AuditExportShapeTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    private static readonly string[] Details =
    [
        """{"changed": {"name": {"from": "a", "to": "b"}, "tags": ["x", "y", 3, 2.50, -1e3, true, false, null]}, "n": 12345678901234567890}""",
        """{"quote": "say \"hi\"\\ok", "tab": "a\tb", "line": "a\nb", "html": "<b>&'+`</b>", "unicode": "żółw 🐢 \u00e9", "empty": {}, "none": []}""",
        """[1, {"deep": [[{"deeper": [null]}]]}]""",
        "\"just a string\"",
        "42",
    ];

    [Fact]
    public async Task Each_exported_line_is_the_audit_list_item_of_the_same_row_byte_for_byte()
    {
        var admin = await _scenario.SignUpAsync();
        var tenantId = admin.TenantId!.Value;
        var inserted = await InsertRowsAsync(tenantId);

        var client = fixture.Api.Client(admin.AccessToken);
        foreach (var filter in new[] { "action=shape.checked", "action=shape.checked&actorType=user&severity=critical", "action=shape.checked&targetType=agent" })
        {
            var listed = new Dictionary<Guid, string>();
            string? cursor = null;
            do
            {
                var page = await client.GetStringAsync($"/api/v1/audit-logs?{filter}&limit=100{(cursor is null ? "" : $"&cursor={cursor}")}", Http.Ct);
                using var document = JsonDocument.Parse(page);
                foreach (var item in document.RootElement.GetProperty("items").EnumerateArray())
                {
                    listed.Add(item.Id(), WithDefaultEncoder(item));
                }

                cursor = document.RootElement.GetProperty("nextCursor").GetString();
            }
            while (cursor is not null);

            using var response = await client.GetAsync($"/api/v1/audit-logs/export?{filter}", Http.Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsByteArrayAsync(Http.Ct);
            var lines = Encoding.UTF8.GetString(body).Split('\n');
            Assert.Equal("", lines[^1]);
            var exported = lines[..^1];

            Assert.NotEmpty(exported);
            Assert.Equal(listed.Count, exported.Length);
            var ids = exported.Select(line => JsonDocument.Parse(line).RootElement.Id()).ToList();
            Assert.Equal(ids.Order().ToList(), ids);
            foreach (var line in exported)
            {
                var id = JsonDocument.Parse(line).RootElement.Id();
                Assert.Equal(listed[id], line);
            }
        }

        // Every column came out both null and not null, and every details text, so the comparison above covered them.
        var all = await client.GetStringAsync("/api/v1/audit-logs/export?action=shape.checked", Http.Ct);
        var rows = all.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(inserted, rows.Count);
        foreach (var property in new[] { "actorId", "targetType", "targetId", "details", "ipAddress", "userAgent" })
        {
            Assert.Contains(rows, r => r.GetProperty(property).ValueKind == JsonValueKind.Null);
            Assert.Contains(rows, r => r.GetProperty(property).ValueKind != JsonValueKind.Null);
        }

        Assert.Contains("\\u0022bench\\u0022 \\u003C", all, StringComparison.Ordinal);
        Assert.Equal(Details.Length, rows.Where(r => r.GetProperty("details").ValueKind != JsonValueKind.Null)
            .Select(r => r.GetProperty("details").GetRawText()).Distinct().Count());
    }

    // Dates are written by the serializer's converter, which never escapes them ('+' is left as it is).
    private static string WithDefaultEncoder(JsonElement item)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in item.EnumerateObject())
            {
                if (property.Name == "createdAt")
                {
                    writer.WriteString(property.Name, property.Value.GetDateTimeOffset());
                }
                else
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private async Task<int> InsertRowsAsync(Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        var actorTypes = new[] { "user", "api_key", "system" };
        var targetTypes = new[] { "tenant", "user", "agent", "skill", "api_key", "team" };
        var severities = new[] { "info", "warning", "critical" };
        var addresses = new[] { "10.1.2.3", "2001:db8::1", "::ffff:192.0.2.1" };
        var count = 0;
        for (var i = 0; i < 36; i++, count++)
        {
            await using var command = new NpgsqlCommand("""
                INSERT INTO audit_logs (id, tenant_id, actor_type, actor_id, action, target_type, target_id, severity, details, ip_address, user_agent, created_at)
                VALUES (@id, @tenant, @actorType::audit_actor_type, @actorId, 'shape.checked', @targetType::audit_target_type, @targetId,
                        @severity::audit_severity, @details::jsonb, @ip::inet, @agent, @at)
                """, connection);
            command.Parameters.AddWithValue("id", Guid.CreateVersion7());
            command.Parameters.AddWithValue("tenant", tenantId);
            command.Parameters.AddWithValue("actorType", actorTypes[i % 3]);
            command.Parameters.AddWithValue("actorId", i % 4 == 0 ? DBNull.Value : Guid.NewGuid());
            command.Parameters.AddWithValue("targetType", i % 7 == 0 ? DBNull.Value : targetTypes[i % 6]);
            command.Parameters.AddWithValue("targetId", i % 5 == 0 ? DBNull.Value : Guid.NewGuid());
            command.Parameters.AddWithValue("severity", severities[i / 3 % 3]);
            command.Parameters.AddWithValue("details", i % 6 == 5 ? DBNull.Value : Details[i % Details.Length]);
            command.Parameters.AddWithValue("ip", i % 2 == 0 ? DBNull.Value : addresses[i % 3]);
            command.Parameters.AddWithValue("agent", i % 3 == 1 ? DBNull.Value : $"Mozilla/5.0 (\"bench\" <{i}>) żółw");

            // Sub-second digits of every length.
            command.Parameters.AddWithValue("at", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(i * 1_234_567L));
            await command.ExecuteNonQueryAsync(Http.Ct);
        }

        return count;
    }
}
