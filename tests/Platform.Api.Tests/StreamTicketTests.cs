using System.Net;
using Platform.Data.Security;

namespace Platform.Api.Tests;

/// <summary>
/// Stream tickets: what a browser's EventSource, which cannot send headers, opens a stream with. Single use, short-lived,
/// bound to the caller, accepted by the stream endpoints only.
/// </summary>
public sealed class StreamTicketTests(ApiFixture fixture)
{
    private const string Stream = "/api/v1/activities/stream";
    private readonly Scenario _scenario = new(fixture);

    private async Task<(Session Admin, Guid AgentId, string PostingKey)> TenantWithAgentAsync()
    {
        var admin = await _scenario.SignUpAsync();
        var agent = await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/agents", new { name = "Streamer" }).ExpectAsync(HttpStatusCode.Created);
        return (admin, agent.Id(), await _scenario.CreateApiKeyAsync(admin, "activities:write"));
    }

    private static async Task<string> TicketAsync(ApiInstance api, string? accessToken = null, string? apiKey = null)
    {
        var before = DateTimeOffset.UtcNow;
        var body = await api.Client(accessToken, apiKey).PostAsync("/api/v1/streams/tickets", new { }).ExpectAsync(HttpStatusCode.OK);
        var expiresAt = body.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt, before.AddSeconds(30), before.AddSeconds(90));
        return body.Str("ticket");
    }

    private static Task<System.Text.Json.JsonElement> PostActivityAsync(ApiInstance api, string key, Guid agentId, string summary) =>
        api.Client(apiKey: key).PostAsync($"/api/v1/agents/{agentId}/activities", new { type = "message", summary }).ExpectAsync(HttpStatusCode.Created);

    private static Task<System.Text.Json.JsonElement> RefusedAsync(ApiInstance api, string url) =>
        api.Client().GetAsync(url, Http.Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_ticket");

    [Fact]
    public async Task A_ticket_opens_the_activity_stream_without_a_header_once()
    {
        var (admin, agentId, key) = await TenantWithAgentAsync();
        var ticket = await TicketAsync(fixture.Api, admin.AccessToken);

        await using (var feed = await SseClient.ConnectAsync(fixture.Api.Client(), $"{Stream}?ticket={ticket}"))
        {
            Assert.Equal("ready", (await feed.NextAsync()).Type);
            var posted = await PostActivityAsync(fixture.Api, key, agentId, "seen through a ticket");
            var received = await feed.NextAsync();
            Assert.Equal(posted.Id(), received.Json.Id());
        }

        var problem = await RefusedAsync(fixture.Api, $"{Stream}?ticket={ticket}");
        Assert.DoesNotContain(ticket, problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM access_tickets WHERE token_hash = @h", ("h", Secrets.Hash(ticket))));
    }

    [Fact]
    public async Task An_expired_ticket_is_refused()
    {
        var admin = await _scenario.SignUpAsync();
        var ticket = await TicketAsync(fixture.Api, admin.AccessToken);
        Assert.Equal(1, await _scenario.CountAsync(
            "WITH e AS (UPDATE access_tickets SET expires_at = now() - interval '1 second' WHERE token_hash = @h RETURNING 1) SELECT count(*) FROM e",
            ("h", Secrets.Hash(ticket))));

        await RefusedAsync(fixture.Api, $"{Stream}?ticket={ticket}");
    }

    [Fact]
    public async Task A_ticket_works_on_stream_endpoints_only_and_is_not_spent_elsewhere()
    {
        var admin = await _scenario.SignUpAsync();
        var agent = await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/agents", new { name = "Quiet" }).ExpectAsync(HttpStatusCode.Created);
        var ticket = await TicketAsync(fixture.Api, admin.AccessToken);

        await RefusedAsync(fixture.Api, $"/api/v1/agents?ticket={ticket}");
        await RefusedAsync(fixture.Api, $"/api/v1/auth/me?ticket={ticket}");
        await RefusedAsync(fixture.Api, $"/api/v1/agents/{agent.Id()}/logs?ticket={ticket}");
        await fixture.Api.Client().PostAsync($"/api/v1/streams/tickets?ticket={ticket}", new { }).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_ticket");

        // Accepted on the logs' stream form: the agent has no container yet, as with a header.
        await fixture.Api.Client().GetAsync($"/api/v1/agents/{agent.Id()}/logs?follow=true&ticket={ticket}", Http.Ct)
            .ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");
        await RefusedAsync(fixture.Api, $"/api/v1/agents/{agent.Id()}/logs?follow=true&ticket={ticket}");
    }

    [Fact]
    public async Task A_ticket_of_one_tenant_does_not_open_another_tenants_agent_logs()
    {
        var a = await _scenario.SignUpAsync();
        var b = await TenantWithAgentAsync();
        var ticket = await TicketAsync(fixture.Api, a.AccessToken);

        await fixture.Api.Client().GetAsync($"/api/v1/agents/{b.AgentId}/logs?follow=true&ticket={ticket}", Http.Ct)
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_new_stream_resumes_from_the_lastEventId_query_and_the_header_wins_over_it()
    {
        var (admin, agentId, key) = await TenantWithAgentAsync();
        string lastSeen;
        await using (var first = await SseClient.ConnectAsync(fixture.Api.Client(), $"{Stream}?ticket={await TicketAsync(fixture.Api, admin.AccessToken)}"))
        {
            await first.NextAsync();
            await PostActivityAsync(fixture.Api, key, agentId, "seen");
            lastSeen = (await first.NextAsync()).Id!;
        }

        await PostActivityAsync(fixture.Api, key, agentId, "missed");
        var resumeUrl = $"{Stream}?lastEventId={Uri.EscapeDataString(lastSeen)}&ticket={await TicketAsync(fixture.Api, admin.AccessToken)}";
        await using (var resumed = await SseClient.ConnectAsync(fixture.Api.Client(), resumeUrl))
        {
            Assert.Equal("missed", (await resumed.NextAsync()).Json.Str("summary"));
            Assert.Equal("ready", (await resumed.NextAsync()).Type);
        }

        await using var withHeader = await SseClient.ConnectAsync(fixture.Api.Client(admin.AccessToken), $"{Stream}?lastEventId=not-an-id", lastSeen);
        Assert.Equal("missed", (await withHeader.NextAsync()).Json.Str("summary"));
    }

    [Fact]
    public async Task A_ticket_dies_with_its_session_and_a_keys_ticket_with_its_key()
    {
        var admin = await _scenario.SignUpAsync();
        var ticket = await TicketAsync(fixture.Api, admin.AccessToken);
        await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/auth/logout", new { refreshToken = admin.RefreshToken })
            .ExpectAsync(HttpStatusCode.NoContent);
        await RefusedAsync(fixture.Api, $"{Stream}?ticket={ticket}");

        var owner = await _scenario.LoginAsync(admin.Email, admin.Password);
        var created = await fixture.Api.Client(owner.AccessToken).PostAsync("/api/v1/api-keys", new { name = "reader", scopes = new[] { "agents:read" } })
            .ExpectAsync(HttpStatusCode.Created);
        var key = created.Str("key");
        await using (var feed = await SseClient.ConnectAsync(fixture.Api.Client(), $"{Stream}?ticket={await TicketAsync(fixture.Api, apiKey: key)}"))
        {
            Assert.Equal("ready", (await feed.NextAsync()).Type);
        }

        var keyTicket = await TicketAsync(fixture.Api, apiKey: key);
        await fixture.Api.Client(owner.AccessToken).DeleteAsync($"/api/v1/api-keys/{created.GetProperty("apiKey").Id()}", Http.Ct)
            .ExpectAsync(HttpStatusCode.NoContent);
        await RefusedAsync(fixture.Api, $"{Stream}?ticket={keyTicket}");
    }

    [Fact]
    public async Task Bad_tickets_and_resume_points_are_refused()
    {
        var admin = await _scenario.SignUpAsync();
        foreach (var bad in new[] { "garbage", "", "%00", "a%ZZ", new string('a', 65), Secrets.NewToken() + "&ticket=" + Secrets.NewToken() })
        {
            await RefusedAsync(fixture.Api, $"{Stream}?ticket={bad}");
        }

        await fixture.Api.Client().GetAsync($"{Stream}?lastEventId=garbage&ticket={await TicketAsync(fixture.Api, admin.AccessToken)}", Http.Ct)
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await fixture.Api.Client().PostAsync("/api/v1/streams/tickets", new { }).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Only_a_platform_admin_gets_a_dashboard_ticket()
    {
        var admin = await _scenario.SignUpAsync();
        await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/platform/dashboard-tickets", new { }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var platform = await _scenario.PlatformAdminAsync();
        var body = await fixture.Api.Client(platform.AccessToken).PostAsync("/api/v1/platform/dashboard-tickets", new { }).ExpectAsync(HttpStatusCode.OK);

        // A dashboard ticket opens no stream.
        await RefusedAsync(fixture.Api, $"/api/v1/agents/{Guid.NewGuid()}/logs?follow=true&ticket={body.Str("ticket")}");
    }
}
