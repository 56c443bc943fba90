using System.Net;

namespace Platform.Api.Tests;

public sealed class WebhooksTests(ApiFixture fixture)
{
    private const string Url = "https://hooks.example.test/in";
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task The_secret_is_shown_once_in_the_standard_webhooks_format_and_a_rotation_returns_a_new_one()
    {
        var admin = await _scenario.SignUpAsync();
        var client = fixture.Api.Client(admin.AccessToken);

        var created = await client.PostAsync("/api/v1/webhooks", new { url = Url, events = new[] { "alert.raised", "audit.critical" }, description = "ops" })
            .ExpectAsync(HttpStatusCode.Created);
        var secret = created.Str("secret");
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.InRange(Convert.FromBase64String(secret["whsec_".Length..]).Length, 24, 32);
        var id = created.GetProperty("webhook").Id();

        using var list = await client.GetAsync("/api/v1/webhooks", Http.Ct);
        var listed = await list.Content.ReadAsStringAsync(Http.Ct);
        Assert.Contains(id.ToString(), listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret["whsec_".Length..], listed, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", listed, StringComparison.OrdinalIgnoreCase);

        var rotated = await client.PostAsync($"/api/v1/webhooks/{id}/rotate-secret", (object?)null).ExpectAsync(HttpStatusCode.OK);
        Assert.StartsWith("whsec_", rotated.Str("secret"), StringComparison.Ordinal);
        Assert.NotEqual(secret, rotated.Str("secret"));
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM audit_logs WHERE details::text LIKE @s", ("s", "%" + secret[8..20] + "%")));
    }

    [Fact]
    public async Task Another_tenants_webhook_and_deliveries_are_not_found()
    {
        var owner = await _scenario.SignUpAsync();
        var ownerClient = fixture.Api.Client(owner.AccessToken);
        var id = (await ownerClient.PostAsync("/api/v1/webhooks", new { url = Url, events = new[] { "alert.raised" } }).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("webhook").Id();
        var test = await ownerClient.PostAsync($"/api/v1/webhooks/{id}/test", (object?)null).ExpectAsync(HttpStatusCode.Accepted);

        var other = fixture.Api.Client((await _scenario.SignUpAsync()).AccessToken);
        await other.GetAsync($"/api/v1/webhooks/{id}", Http.Ct).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await other.GetAsync($"/api/v1/webhooks/{id}/deliveries", Http.Ct).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await other.PatchAsync($"/api/v1/webhooks/{id}", new { enabled = false }).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await other.PostAsync($"/api/v1/webhooks/{id}/rotate-secret", (object?)null).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await other.PostAsync($"/api/v1/webhooks/{id}/test", (object?)null).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await other.PostAsync($"/api/v1/webhooks/{id}/deliveries/{test.Id("deliveryId")}/retry", (object?)null).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await other.DeleteAsync($"/api/v1/webhooks/{id}", Http.Ct).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Empty((await other.GetAsync("/api/v1/webhooks", Http.Ct).ExpectAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray());

        var deliveries = await ownerClient.GetAsync($"/api/v1/webhooks/{id}/deliveries", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var delivery = Assert.Single(deliveries.GetProperty("items").EnumerateArray());
        Assert.Equal("webhook.test", delivery.Str("event"));
        Assert.Equal("pending", delivery.Str("state"));
        Assert.True((await ownerClient.GetAsync($"/api/v1/webhooks/{id}", Http.Ct).ExpectAsync(HttpStatusCode.OK)).GetProperty("enabled").GetBoolean());
    }

    [Theory]
    [InlineData("not a url", "alert.raised")]
    [InlineData("http://hooks.example.test/in", "alert.raised")]
    [InlineData("https://127.0.0.1/in", "alert.raised")]
    [InlineData("https://localhost/in", "alert.raised")]
    [InlineData("https://169.254.169.254/latest", "alert.raised")]
    [InlineData("https://10.0.0.5/in", "alert.raised")]
    [InlineData("https://[::1]/in", "alert.raised")]
    [InlineData("https://user:pw@hooks.example.test/in", "alert.raised")]
    [InlineData(Url, "alert.exploded")]
    public async Task Bad_input_is_a_validation_problem_that_changes_nothing(string url, string eventType)
    {
        var admin = await _scenario.SignUpAsync();
        var client = fixture.Api.Client(admin.AccessToken);
        var auditBefore = await _scenario.AuditRowsAsync(admin.TenantId);

        await client.PostAsync("/api/v1/webhooks", new { url, events = new[] { eventType } }).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        var id = (await client.PostAsync("/api/v1/webhooks", new { url = Url, events = new[] { "alert.raised" } }).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("webhook").Id();
        await client.PatchAsync($"/api/v1/webhooks/{id}", new { url, events = new[] { eventType } }).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var kept = await client.GetAsync($"/api/v1/webhooks/{id}", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(Url, kept.Str("url"));
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM webhooks WHERE tenant_id = @t", ("t", admin.TenantId!.Value)));
        Assert.Equal(auditBefore + 1, await _scenario.AuditRowsAsync(admin.TenantId));
    }

    [Fact]
    public async Task Events_are_written_with_the_change_that_causes_them()
    {
        var admin = await _scenario.SignUpAsync();
        var tenantId = admin.TenantId!.Value;
        var world = new AuditWorld(fixture);
        var agent = await world.AgentAsync(admin, "active");
        var alert = await DomainIsolationCases.InsertAlertAsync(fixture, tenantId, agent, "hooked-container");

        await fixture.Api.Client(admin.AccessToken).PostAsync($"/api/v1/alerts/{alert}/acknowledge", (object?)null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, await EventsAsync(tenantId, "alert.acknowledged"));
        Assert.Equal(1, await _scenario.CountAsync(
            "SELECT count(*) FROM webhook_events WHERE tenant_id = @t AND type = 'alert.acknowledged' AND data->>'id' = @a AND data->>'state' = 'acknowledged'",
            ("t", tenantId), ("a", alert.ToString())));

        // A reused refresh token is a critical audit row, and so an audit.critical event.
        await fixture.Api.Client().PostAsync("/api/v1/auth/refresh", new { refreshToken = admin.RefreshToken }).ExpectAsync(HttpStatusCode.OK);
        await fixture.Api.Client().PostAsync("/api/v1/auth/refresh", new { refreshToken = admin.RefreshToken }).ExpectProblemAsync(HttpStatusCode.Unauthorized, "token_reused");
        Assert.Equal(1, await EventsAsync(tenantId, "audit.critical"));
        Assert.True(await EventsAsync(tenantId, "agent.status_changed") >= 1);
    }

    private Task<long> EventsAsync(Guid tenantId, string type) =>
        _scenario.CountAsync("SELECT count(*) FROM webhook_events WHERE tenant_id = @t AND type = @e", ("t", tenantId), ("e", type));
}
