using System.Net;

namespace Platform.Api.Tests;

/// <summary>
/// An agent's runtime key (scope <c>runtime</c>, bound to its agent) reads that agent's runtime document and posts its
/// activity and metrics. Every other agent is missing to it (404); every other endpoint refuses it (403).
/// </summary>
public sealed class RuntimeKeyTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task A_runtime_key_acts_for_its_own_agent_and_finds_no_other_agent_of_its_tenant_or_another()
    {
        var admin = await _scenario.SignUpAsync();
        var other = await _scenario.SignUpAsync();
        var own = await AgentAsync(admin, "Own");
        var sibling = await AgentAsync(admin, "Sibling");
        var foreign = await AgentAsync(other, "Foreign");
        var runtime = fixture.Api.Client(apiKey: (await _scenario.MintRuntimeKeyAsync(admin.TenantId!.Value, own)).Key);
        var activity = new { type = "task", summary = "reported" };
        var metric = new { periodStart = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:00:00Z"), periodMinutes = 60, tasksCompleted = 1 };

        await runtime.GetAsync($"/api/v1/agents/{own}/runtime", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        await runtime.PostAsync($"/api/v1/agents/{own}/activities", activity).ExpectAsync(HttpStatusCode.Created);
        await runtime.PostAsync($"/api/v1/agents/{own}/metrics", metric).ExpectAsync(HttpStatusCode.OK);

        foreach (var agent in new[] { sibling, foreign, Guid.CreateVersion7() })
        {
            await runtime.GetAsync($"/api/v1/agents/{agent}/runtime", Http.Ct).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
            await runtime.PostAsync($"/api/v1/agents/{agent}/activities", activity).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
            await runtime.PostAsync($"/api/v1/agents/{agent}/metrics", metric).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        }

        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM agent_activities WHERE agent_id IN (@s, @f)", ("s", sibling), ("f", foreign)));
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM agent_metrics WHERE agent_id IN (@s, @f)", ("s", sibling), ("f", foreign)));
        Assert.Equal(0, await _scenario.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action = 'agent.runtime_read' AND target_id IN (@s, @f)", ("s", sibling), ("f", foreign)));
    }

    [Fact]
    public async Task A_runtime_key_is_refused_by_every_other_endpoint_its_own_agent_included()
    {
        var admin = await _scenario.SignUpAsync();
        var own = await AgentAsync(admin, "Own");
        var runtime = fixture.Api.Client(apiKey: (await _scenario.MintRuntimeKeyAsync(admin.TenantId!.Value, own)).Key);

        foreach (var url in new[]
        {
            "/api/v1/agents", $"/api/v1/agents/{own}", $"/api/v1/agents/{own}/channels", $"/api/v1/agents/{own}/skills",
            $"/api/v1/agents/{own}/activities", $"/api/v1/agents/{own}/metrics", "/api/v1/skills", "/api/v1/api-keys",
            "/api/v1/tenants/current", "/api/v1/auth/me", "/api/v1/audit-logs", "/api/v1/alerts", "/api/v1/activities/stream",
        })
        {
            await runtime.GetAsync(url, Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        }

        await runtime.PatchAsync($"/api/v1/agents/{own}", new { name = "Renamed by itself" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await runtime.PostAsync($"/api/v1/agents/{own}/pause", null, Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await runtime.DeleteAsync($"/api/v1/agents/{own}", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await runtime.PostAsync($"/api/v1/agents/{own}/channels", new { type = "email", name = "exfil", config = new { address = "x@example.test" } })
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await runtime.PostAsync("/api/v1/api-keys", new { name = "escalate", scopes = new[] { "agents:read" } })
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await runtime.PostAsync("/api/v1/auth/mfa/setup", null, Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM api_keys WHERE tenant_id = @t", ("t", admin.TenantId!.Value)));
    }

    [Fact]
    public async Task Only_the_runtime_key_reads_a_runtime_document_no_user_role_nor_a_key_with_every_other_scope()
    {
        var admin = await _scenario.SignUpAsync();
        var member = await _scenario.AddMemberAsync(admin);
        var platform = await _scenario.PlatformAdminAsync();
        var own = await AgentAsync(admin, "Own");
        var everyScope = await _scenario.CreateApiKeyAsync(admin, "agents:read", "agents:write", "activities:write", "metrics:write", "skills:read");
        var url = $"/api/v1/agents/{own}/runtime";

        foreach (var token in new[] { admin.AccessToken, member.AccessToken, platform.AccessToken })
        {
            await fixture.Api.Client(token).GetAsync(url, Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        }

        await fixture.Api.Client(apiKey: everyScope).GetAsync(url, Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await fixture.Api.Client().GetAsync(url, Http.Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM audit_logs WHERE action = 'agent.runtime_read' AND target_id = @a", ("a", own)));
    }

    [Theory]
    [InlineData("runtime")]
    [InlineData("activities:write runtime")]
    public async Task The_runtime_scope_cannot_be_chosen_for_a_key(string requested)
    {
        var scopes = requested.Split(' ');
        var admin = await _scenario.SignUpAsync();

        var problem = await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/api-keys", new { name = "runtime", scopes })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("runtime", problem.GetProperty("errors").GetProperty("scopes")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM api_keys WHERE tenant_id = @t", ("t", admin.TenantId!.Value)));
    }

    private async Task<Guid> AgentAsync(Session admin, string name) =>
        (await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/agents", new { name, role = "pm" }).ExpectAsync(HttpStatusCode.Created)).Id();
}
