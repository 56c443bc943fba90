using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Platform.Api.Tests;

/// <summary>
/// A webhook event's <c>data</c> is the resource as the API returns it (issue 20): the same JSON as the API's answer for
/// that resource, and the same property names as the resource's schema in the OpenAPI document (an agent's event adds
/// <c>previousStatus</c>).
/// </summary>
public sealed class WebhookEventShapeTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task An_agent_status_change_carries_the_agent_as_GET_returns_it_with_its_channels()
    {
        var admin = await _scenario.SignUpAsync();
        var client = fixture.Api.Client(admin.AccessToken);
        var agent = await new AuditWorld(fixture).AgentAsync(admin, "active");
        await client.PostAsync($"/api/v1/agents/{agent}/channels",
            new { type = "slack", name = "#ops", config = new { channel = "#ops", botToken = "xoxb-shape-test" } }).ExpectAsync(HttpStatusCode.Created);

        await client.PostAsync($"/api/v1/agents/{agent}/pause", (object?)null).ExpectAsync(HttpStatusCode.OK);

        var data = await LatestEventDataAsync(admin.TenantId!.Value, "agent.status_changed", agent);
        Assert.Equal("active", data["previousStatus"]!.GetValue<string>());
        data.Remove("previousStatus");
        var get = await client.GetAsync($"/api/v1/agents/{agent}", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        AssertSameJson(get, data);
        Assert.Single(data["channels"]!.AsArray());
        Assert.Equal(await SchemaPropertiesAsync("AgentResponse"), Names(data));
    }

    [Fact]
    public async Task Alert_events_carry_the_alert_as_the_API_returns_it()
    {
        var admin = await _scenario.SignUpAsync();
        var tenantId = admin.TenantId!.Value;
        var client = fixture.Api.Client(admin.AccessToken);
        var agent = await new AuditWorld(fixture).AgentAsync(admin, "active");
        var alert = await DomainIsolationCases.InsertAlertAsync(fixture, tenantId, agent, "shape-container");

        var acknowledged = await client.PostAsync($"/api/v1/alerts/{alert}/acknowledge", (object?)null).ExpectAsync(HttpStatusCode.OK);
        var acknowledgedData = await LatestEventDataAsync(tenantId, "alert.acknowledged", alert);
        AssertSameJson(acknowledged, acknowledgedData);

        var resolved = await client.PostAsync($"/api/v1/alerts/{alert}/resolve", (object?)null).ExpectAsync(HttpStatusCode.OK);
        var resolvedData = await LatestEventDataAsync(tenantId, "alert.resolved", alert);
        AssertSameJson(resolved, resolvedData);
        var listed = (await client.GetAsync("/api/v1/alerts", Http.Ct).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Single(a => a.Id() == alert);
        AssertSameJson(listed, resolvedData);

        var schema = await SchemaPropertiesAsync("AlertResponse");
        Assert.Equal(schema, Names(acknowledgedData));
        Assert.Equal(schema, Names(resolvedData));
    }

    [Fact]
    public async Task A_critical_audit_event_carries_the_row_as_the_audit_log_returns_it()
    {
        var admin = await _scenario.SignUpAsync();
        var tenantId = admin.TenantId!.Value;

        // A reused refresh token is a critical audit row.
        await fixture.Api.Client().PostAsync("/api/v1/auth/refresh", new { refreshToken = admin.RefreshToken }).ExpectAsync(HttpStatusCode.OK);
        await fixture.Api.Client().PostAsync("/api/v1/auth/refresh", new { refreshToken = admin.RefreshToken }).ExpectProblemAsync(HttpStatusCode.Unauthorized, "token_reused");

        var data = await LatestEventDataAsync(tenantId, "audit.critical", id: null);
        var id = Guid.Parse(data["id"]!.GetValue<string>());
        var admin2 = await _scenario.LoginAsync(admin.Email, admin.Password);
        var listed = (await fixture.Api.Client(admin2.AccessToken).GetAsync("/api/v1/audit-logs?severity=critical", Http.Ct).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Single(r => r.Id() == id);
        AssertSameJson(listed, data);
        Assert.Equal(await SchemaPropertiesAsync("AuditLogResponse"), Names(data));
    }

    /// <summary>The newest event of this type in the tenant (about the resource <paramref name="id"/> when given).</summary>
    private async Task<JsonObject> LatestEventDataAsync(Guid tenantId, string type, Guid? id)
    {
        await using var connection = new NpgsqlConnection(fixture.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand(
            "SELECT data::text FROM webhook_events WHERE tenant_id = @t AND type = @e AND (@id::text IS NULL OR data->>'id' = @id::text) "
            + "ORDER BY created_at DESC, id DESC LIMIT 1", connection);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("e", type);
        command.Parameters.Add(new NpgsqlParameter("id", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)id?.ToString() ?? DBNull.Value });
        var text = await command.ExecuteScalarAsync(Http.Ct) as string;
        Assert.True(text is not null, $"No {type} event for {id} in tenant {tenantId}.");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>The property names of a response schema of the API's OpenAPI document, sorted.</summary>
    private async Task<string[]> SchemaPropertiesAsync(string schema)
    {
        var document = await fixture.Api.Client().GetAsync("/openapi/v1.json", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        return [.. document.GetProperty("components").GetProperty("schemas").GetProperty(schema).GetProperty("properties")
            .EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
    }

    private static string[] Names(JsonObject data) => [.. data.Select(p => p.Key).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The same JSON, timestamps compared at the microsecond the database keeps (an event is built from the values being
    /// saved, the API's answer from the row read back).
    /// </summary>
    private static void AssertSameJson(JsonElement api, JsonNode eventData)
    {
        var expected = Normalise(JsonNode.Parse(api.GetRawText()));
        var actual = Normalise(eventData.DeepClone());
        Assert.True(JsonNode.DeepEquals(expected, actual), $"API:   {expected?.ToJsonString()}\nevent: {actual?.ToJsonString()}");
    }

    private static JsonNode? Normalise(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    o[key] = Normalise(o[key]?.DeepClone());
                }

                return o;
            case JsonArray a:
                return new JsonArray([.. a.Select(item => Normalise(item?.DeepClone()))]);
            case JsonValue v when v.TryGetValue<string>(out var s) && s.Length >= 20 && s[4] == '-' && s[10] == 'T'
                && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time):
                return JsonValue.Create(new DateTimeOffset(time.UtcTicks - (time.UtcTicks % 10), TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture));
            default:
                return node;
        }
    }
}
