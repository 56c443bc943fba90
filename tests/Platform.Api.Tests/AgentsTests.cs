using System.Net;

namespace Platform.Api.Tests;

public sealed class AgentsTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    private HttpClient Client(Session session) => fixture.Api.Client(session.AccessToken);

    [Fact]
    public async Task Create_list_update_pause_resume_and_delete_an_agent_with_channels()
    {
        var admin = await _scenario.SignUpAsync();
        var created = await Client(admin).PostAsync("/api/v1/agents", new { name = "Atlas", role = "pm", toolPolicy = new { allowed = new[] { "jira.search" } } })
            .ExpectAsync(HttpStatusCode.Created);
        var id = created.Id();
        Assert.Equal("provisioning", created.Str("status"));
        Assert.Equal("pm", created.Str("role"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, created.GetProperty("channel").ValueKind);

        var channel = await Client(admin).PostAsync($"/api/v1/agents/{id}/channels",
            new { type = "slack", name = "#ops", config = new { channel = "#ops", botToken = "xoxb-secret-value" } })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("********", channel.GetProperty("config").Str("botToken"));
        Assert.Equal("#ops", channel.GetProperty("config").Str("channel"));
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM agent_channels WHERE config::text LIKE '%xoxb-secret-value%'"));

        var list = await Client(admin).GetAsync("/api/v1/agents?status=provisioning&q=atl", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var agent = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("#ops", agent.GetProperty("channel").Str("name"));
        Assert.Single(agent.GetProperty("channels").EnumerateArray());

        var patched = await Client(admin).PatchAsync($"/api/v1/agents/{id}", new { description = "Roadmaps", modelTier = "opus" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("opus", patched.Str("modelTier"));
        await Client(admin).PatchAsync($"/api/v1/agents/{id}", new { status = "active" }).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        // A provisioning agent cannot be paused; once active it can, and resumed.
        await Client(admin).PostAsync($"/api/v1/agents/{id}/pause", (object?)null).ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");
        await _scenario.CountAsync("WITH u AS (UPDATE agents SET status = 'active' WHERE id = @id RETURNING 1) SELECT count(*) FROM u", ("id", id));
        Assert.Equal("paused", (await Client(admin).PostAsync($"/api/v1/agents/{id}/pause", (object?)null).ExpectAsync(HttpStatusCode.OK)).Str("status"));
        Assert.Equal("active", (await Client(admin).PostAsync($"/api/v1/agents/{id}/resume", (object?)null).ExpectAsync(HttpStatusCode.OK)).Str("status"));

        await Client(admin).DeleteAsync($"/api/v1/agents/{id}", Http.Ct).ExpectAsync(HttpStatusCode.NoContent);
        await Client(admin).GetAsync($"/api/v1/agents/{id}", Http.Ct).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM agent_channels WHERE agent_id = @id", ("id", id)));
    }

    [Fact]
    public async Task Concurrent_creates_never_exceed_the_starter_quota()
    {
        var admin = await _scenario.SignUpAsync();
        await Client(admin).PostAsync("/api/v1/agents", new { name = "first" }).ExpectAsync(HttpStatusCode.Created);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Client(admin).PostAsync("/api/v1/agents", new { name = $"agent-{i}" })));
        var statuses = attempts.Select(r => r.StatusCode).ToList();
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(8, statuses.Count(s => s == HttpStatusCode.Forbidden));
        Assert.Equal(3, await _scenario.CountAsync("SELECT count(*) FROM agents WHERE tenant_id = @t", ("t", admin.TenantId!.Value)));

        var refused = attempts.First(r => r.StatusCode == HttpStatusCode.Forbidden);
        Assert.Equal("quota_exceeded", (await refused.JsonAsync()).Str("code"));
    }

    [Fact]
    public async Task Another_tenants_agent_is_not_found()
    {
        var a = await _scenario.SignUpAsync();
        var b = await _scenario.SignUpAsync();
        var id = (await Client(a).PostAsync("/api/v1/agents", new { name = "mine" }).ExpectAsync(HttpStatusCode.Created)).Id();

        await Client(b).GetAsync($"/api/v1/agents/{id}", Http.Ct).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await Client(b).PatchAsync($"/api/v1/agents/{id}", new { name = "stolen" }).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await Client(b).DeleteAsync($"/api/v1/agents/{id}", Http.Ct).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await Client(b).GetAsync($"/api/v1/agents/{id}/channels", Http.Ct).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Empty((await Client(b).GetAsync("/api/v1/agents", Http.Ct).ExpectAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Deleting_an_agent_revokes_the_runtime_key_the_worker_minted_for_it()
    {
        var admin = await _scenario.SignUpAsync();
        var id = (await Client(admin).PostAsync("/api/v1/agents", new { name = "runner" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var (runtimeKey, _) = await _scenario.MintRuntimeKeyAsync(admin.TenantId!.Value, id);
        var runtime = fixture.Api.Client(apiKey: runtimeKey);
        await runtime.PostAsync($"/api/v1/agents/{id}/activities", new { type = "task", summary = "working" }).ExpectAsync(HttpStatusCode.Created);
        await runtime.GetAsync($"/api/v1/agents/{id}/runtime", Http.Ct).ExpectAsync(HttpStatusCode.OK);

        await Client(admin).DeleteAsync($"/api/v1/agents/{id}", Http.Ct).ExpectAsync(HttpStatusCode.NoContent);

        // The key went with the agent, and this replica dropped it from its cache at once (other replicas poll the change).
        await runtime.GetAsync($"/api/v1/agents/{id}/runtime", Http.Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await runtime.PostAsync($"/api/v1/agents/{id}/activities", new { type = "task", summary = "still here?" })
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM api_keys WHERE agent_id = @a", ("a", id)));
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM security_changes WHERE subject = @p", ("p", runtimeKey.Substring(3, 12))));
    }
}
