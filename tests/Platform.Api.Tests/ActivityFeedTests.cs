using System.Net;

namespace Platform.Api.Tests;

/// <summary>The live feed across two API replicas sharing Redis, resumption, and tenant isolation.</summary>
public sealed class ActivityFeedTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    private async Task<(Session Admin, Guid AgentId, string RuntimeKey)> TenantWithAgentAsync()
    {
        var admin = await _scenario.SignUpAsync();
        var agent = await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/agents", new { name = "Feeder" }).ExpectAsync(HttpStatusCode.Created);
        var key = await _scenario.CreateApiKeyAsync(admin, "activities:write");
        return (admin, agent.Id(), key);
    }

    private static Task<System.Text.Json.JsonElement> PostActivityAsync(ApiInstance api, string key, Guid agentId, string summary) =>
        api.Client(apiKey: key).PostAsync($"/api/v1/agents/{agentId}/activities", new { type = "message", summary, details = new { n = 1 } })
            .ExpectAsync(HttpStatusCode.Created);

    [Fact]
    public async Task An_activity_posted_to_one_replica_reaches_a_subscriber_of_the_other()
    {
        var (admin, agentId, key) = await TenantWithAgentAsync();
        await using var feed = await SseClient.ConnectAsync(fixture.SecondReplica.Client(admin.AccessToken), "/api/v1/activities/stream");
        Assert.Equal("ready", (await feed.NextAsync()).Type);

        var posted = await PostActivityAsync(fixture.Api, key, agentId, "hello from replica one");

        var received = await feed.NextAsync();
        Assert.Equal("activity", received.Type);
        Assert.Equal(posted.Id(), received.Json.Id());
        Assert.Equal("hello from replica one", received.Json.Str("summary"));
        Assert.False(string.IsNullOrEmpty(received.Id));

        var agent = await fixture.Api.Client(admin.AccessToken).GetAsync($"/api/v1/agents/{agentId}", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, agent.GetProperty("lastActive").ValueKind);
    }

    [Fact]
    public async Task A_resumed_subscription_receives_exactly_the_missed_events()
    {
        var (admin, agentId, key) = await TenantWithAgentAsync();
        string lastSeen;
        await using (var first = await SseClient.ConnectAsync(fixture.Api.Client(admin.AccessToken), "/api/v1/activities/stream"))
        {
            await first.NextAsync();
            await PostActivityAsync(fixture.Api, key, agentId, "seen-1");
            await PostActivityAsync(fixture.Api, key, agentId, "seen-2");
            Assert.Equal("seen-1", (await first.NextAsync()).Json.Str("summary"));
            var second = await first.NextAsync();
            Assert.Equal("seen-2", second.Json.Str("summary"));
            lastSeen = second.Id!;
        }

        await PostActivityAsync(fixture.Api, key, agentId, "missed-1");
        await PostActivityAsync(fixture.SecondReplica, key, agentId, "missed-2");

        await using var resumed = await SseClient.ConnectAsync(fixture.SecondReplica.Client(admin.AccessToken), "/api/v1/activities/stream", lastSeen);
        Assert.Equal("missed-1", (await resumed.NextAsync()).Json.Str("summary"));
        Assert.Equal("missed-2", (await resumed.NextAsync()).Json.Str("summary"));
        Assert.Equal("ready", (await resumed.NextAsync()).Type);

        await PostActivityAsync(fixture.Api, key, agentId, "live-again");
        Assert.Equal("live-again", (await resumed.NextAsync()).Json.Str("summary"));
    }

    [Fact]
    public async Task A_subscriber_never_receives_another_tenants_events()
    {
        var a = await TenantWithAgentAsync();
        var b = await TenantWithAgentAsync();
        await using var feed = await SseClient.ConnectAsync(fixture.Api.Client(b.Admin.AccessToken), "/api/v1/activities/stream");
        await feed.NextAsync();

        await PostActivityAsync(fixture.Api, a.RuntimeKey, a.AgentId, "tenant A secret");
        await PostActivityAsync(fixture.Api, b.RuntimeKey, b.AgentId, "tenant B news");

        var first = await feed.NextAsync();
        Assert.Equal("tenant B news", first.Json.Str("summary"));
        Assert.Equal(b.AgentId, first.Json.Id("agentId"));
    }

    [Fact]
    public async Task The_feed_needs_read_permission_and_a_valid_event_id()
    {
        var (admin, _, key) = await TenantWithAgentAsync();
        await fixture.Api.Client(apiKey: key).GetAsync("/api/v1/activities/stream", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await fixture.Api.Client().GetAsync("/api/v1/activities/stream", Http.Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/activities/stream");
        request.Headers.Add("Last-Event-ID", "not-an-id");
        await fixture.Api.Client(admin.AccessToken).SendAsync(request, Http.Ct).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Activities_are_listed_newest_first_and_posting_writes_one_audit_row()
    {
        var (admin, agentId, key) = await TenantWithAgentAsync();
        var before = await _scenario.AuditRowsAsync(admin.TenantId, "agent.activity_posted");
        await PostActivityAsync(fixture.Api, key, agentId, "one");
        await PostActivityAsync(fixture.Api, key, agentId, "two");

        var page = await fixture.Api.Client(admin.AccessToken).GetAsync($"/api/v1/agents/{agentId}/activities?limit=1", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("two", Assert.Single(page.GetProperty("items").EnumerateArray()).Str("summary"));
        var next = await fixture.Api.Client(admin.AccessToken).GetAsync($"/api/v1/agents/{agentId}/activities?limit=1&cursor={page.Str("nextCursor")}", Http.Ct)
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("one", Assert.Single(next.GetProperty("items").EnumerateArray()).Str("summary"));
        Assert.Equal(before + 2, await _scenario.AuditRowsAsync(admin.TenantId, "agent.activity_posted"));
    }
}
