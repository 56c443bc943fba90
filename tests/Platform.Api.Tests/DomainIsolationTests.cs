using System.Net;
using System.Text.Json;

namespace Platform.Api.Tests;

public sealed class DomainIsolationTests(ApiFixture fixture)
{
    private static readonly Lock Gate = new();
    private static Task<DomainWorld>? _world;
    private readonly Scenario _scenario = new(fixture);

    // Tests of one class run one after another, so they share one pair of tenants; each proves what it did not change.
    private Task<DomainWorld> WorldAsync()
    {
        lock (Gate)
        {
            return _world ??= DomainIsolationCases.BuildAsync(fixture, _scenario);
        }
    }

    [Theory]
    [MemberData(nameof(DomainIsolationCases.CrossTenantRequests), MemberType = typeof(DomainIsolationCases))]
    public async Task Tenant_b_admin_cannot_reach_tenant_a_domain_resources(string method, string url, string? body, int adminStatus, int keyStatus)
    {
        _ = keyStatus;
        var world = await WorldAsync();
        var before = await fixture.DomainFingerprintAsync(world.TenantA);

        await fixture.Api.Client(world.AdminB.AccessToken).SendAsync(method, world.Url(url), body is null ? null : world.Url(body))
            .ExpectProblemAsync((HttpStatusCode)adminStatus, adminStatus == 404 ? "not_found" : "forbidden");

        Assert.Equal(before, await fixture.DomainFingerprintAsync(world.TenantA));
    }

    [Theory]
    [MemberData(nameof(DomainIsolationCases.CrossTenantRequests), MemberType = typeof(DomainIsolationCases))]
    public async Task Tenant_b_api_key_cannot_reach_tenant_a_domain_resources(string method, string url, string? body, int adminStatus, int keyStatus)
    {
        _ = adminStatus;
        var world = await WorldAsync();
        var before = await fixture.DomainFingerprintAsync(world.TenantA);

        await fixture.Api.Client(apiKey: world.KeyB).SendAsync(method, world.Url(url), body is null ? null : world.Url(body))
            .ExpectProblemAsync((HttpStatusCode)keyStatus, keyStatus == 404 ? "not_found" : "forbidden");

        Assert.Equal(before, await fixture.DomainFingerprintAsync(world.TenantA));
    }

    [Fact]
    public async Task Tenant_b_lists_never_contain_tenant_a_rows()
    {
        var world = await WorldAsync();
        var asB = fixture.Api.Client(world.AdminB.AccessToken);
        var keyB = fixture.Api.Client(apiKey: world.KeyB);
        var a = new[] { world.TenantA.ToString(), world.AgentA.ToString(), world.AlertA.ToString(), world.ContainerA, world.ChannelA.ToString() };

        foreach (var client in new[] { asB, keyB })
        {
            var agents = await client.GetAsync("/api/v1/agents?limit=200", Http.Ct).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(new[] { world.AgentB }, Items(agents).Select(i => i.Id()));
            Assert.Empty(Items(await client.GetAsync("/api/v1/agents?q=Atlas", Http.Ct).ExpectAsync(HttpStatusCode.OK)));
            var summary = await client.GetAsync("/api/v1/metrics/summary", Http.Ct).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal((0, 0L), (summary.GetProperty("agents").GetInt32(), summary.GetProperty("tasksCompleted").GetInt64()));
        }

        foreach (var url in new[] { "/api/v1/alerts?limit=200", "/api/v1/audit-logs?limit=200", $"/api/v1/audit-logs?targetId={world.AgentA}" })
        {
            var text = (await asB.GetAsync(url, Http.Ct).ExpectAsync(HttpStatusCode.OK)).GetRawText();
            Assert.DoesNotContain(a, id => text.Contains(id, StringComparison.OrdinalIgnoreCase));
        }

        var export = await asB.GetStringAsync("/api/v1/audit-logs/export", Http.Ct);
        Assert.Contains(world.TenantB.ToString(), export, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(a, id => export.Contains(id, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_tenant_member_reads_agents_alerts_and_health_and_writes_agents()
    {
        var world = await WorldAsync();
        var asMember = fixture.Api.Client(world.MemberA.AccessToken);

        Assert.Contains(world.AgentA, Items(await asMember.GetAsync("/api/v1/agents", Http.Ct).ExpectAsync(HttpStatusCode.OK)).Select(i => i.Id()));
        Assert.Contains(world.AlertA, Items(await asMember.GetAsync("/api/v1/alerts", Http.Ct).ExpectAsync(HttpStatusCode.OK)).Select(i => i.Id()));
        await asMember.GetAsync($"/api/v1/containers/{world.ContainerA}/health", Http.Ct).ExpectAsync(HttpStatusCode.OK);

        var created = await asMember.PostAsync("/api/v1/agents", new { name = "Member Made", role = "custom" }).ExpectAsync(HttpStatusCode.Created);
        var patched = await asMember.PatchAsync($"/api/v1/agents/{created.Id()}", new { description = "Written by a member" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Written by a member", patched.Str("description"));
        await asMember.DeleteAsync($"/api/v1/agents/{created.Id()}", Http.Ct).ExpectAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task The_container_health_view_shows_a_tenant_only_its_own_containers_and_the_platform_all()
    {
        var world = await WorldAsync();
        var platform = fixture.Api.Client((await _scenario.PlatformAdminAsync()).AccessToken);

        var mine = await fixture.Api.Client(world.MemberA.AccessToken).GetAsync("/api/v1/containers/health", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(world.ContainerA, Items(mine).Select(i => i.Str("containerId")));
        var theirs = await fixture.Api.Client(world.AdminB.AccessToken).GetAsync("/api/v1/containers/health", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(theirs.GetProperty("items").EnumerateArray(), i => i.Str("containerId") == world.ContainerA || i.Id("tenantId") == world.TenantA);
        var all = await platform.GetAsync("/api/v1/containers/health", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(world.ContainerA, Items(all).Select(i => i.Str("containerId")));
    }

    [Theory]
    [MemberData(nameof(DomainIsolationCases.MemberForbiddenRequests), MemberType = typeof(DomainIsolationCases))]
    public async Task A_tenant_member_is_forbidden_alert_management_audit_and_platform_endpoints(string method, string url, string? body)
    {
        var world = await WorldAsync();
        var before = await fixture.DomainFingerprintAsync(world.TenantA);
        const string Skills = "SELECT count(*) FROM skills WHERE slug LIKE 'member-skill-%' OR (id = @s AND status <> 'published')";

        await fixture.Api.Client(world.MemberA.AccessToken).SendAsync(method, world.Url(url), body is null ? null : world.Url(body))
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(before, await fixture.DomainFingerprintAsync(world.TenantA));
        Assert.Equal(0, await _scenario.CountAsync(Skills, ("s", world.OtherSkill)));
    }

    [Fact]
    public async Task A_tenant_admin_acknowledges_and_resolves_its_own_alert()
    {
        var world = await WorldAsync();
        var asAdmin = fixture.Api.Client(world.AdminA.AccessToken);
        var alert = await DomainIsolationCases.InsertAlertAsync(fixture, world.TenantA, world.AgentA, world.ContainerA);

        var acknowledged = await asAdmin.PostAsync($"/api/v1/alerts/{alert}/acknowledge", (object?)null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("acknowledged", world.AdminA.UserId), (acknowledged.Str("state"), acknowledged.Id("acknowledgedByUserId")));
        Assert.Equal("resolved", (await asAdmin.PostAsync($"/api/v1/alerts/{alert}/resolve", (object?)null).ExpectAsync(HttpStatusCode.OK)).Str("state"));
        Assert.Equal(1, await _scenario.AuditRowsAsync(world.TenantA, "alert.acknowledged"));
        Assert.Equal(1, await _scenario.AuditRowsAsync(world.TenantA, "alert.resolved"));
    }

    [Fact]
    public async Task Each_api_key_scope_opens_only_its_own_endpoints()
    {
        var admin = await _scenario.SignUpAsync();
        var tenant = ("t", (object)admin.TenantId!.Value);
        var agent = (await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/agents", new { name = "Scoped" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var read = fixture.Api.Client(apiKey: await _scenario.CreateApiKeyAsync(admin, "agents:read"));
        var activities = fixture.Api.Client(apiKey: await _scenario.CreateApiKeyAsync(admin, "activities:write"));
        var metrics = fixture.Api.Client(apiKey: await _scenario.CreateApiKeyAsync(admin, "metrics:write"));
        var skills = fixture.Api.Client(apiKey: await _scenario.CreateApiKeyAsync(admin, "skills:read"));
        var activity = new { type = "tool_call", summary = "Searched Jira", details = new { tool = "jira.search" } };
        var metric = new { periodStart = "2026-01-01T10:00:00Z", periodMinutes = 60, tasksCompleted = 2, costUsd = 0.25m };

        Assert.Equal(new[] { agent }, Items(await read.GetAsync("/api/v1/agents", Http.Ct).ExpectAsync(HttpStatusCode.OK)).Select(i => i.Id()));
        await read.PostAsync("/api/v1/agents", new { name = "By Key" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await read.PostAsync($"/api/v1/agents/{agent}/activities", activity).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await read.PostAsync($"/api/v1/agents/{agent}/metrics", metric).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        await activities.PostAsync($"/api/v1/agents/{agent}/activities", activity).ExpectAsync(HttpStatusCode.Created);
        await activities.GetAsync("/api/v1/agents", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await activities.PostAsync($"/api/v1/agents/{agent}/metrics", metric).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        await metrics.PostAsync($"/api/v1/agents/{agent}/metrics", metric).ExpectAsync(HttpStatusCode.OK);
        await metrics.GetAsync("/api/v1/agents", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await metrics.GetAsync($"/api/v1/agents/{agent}/metrics", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await metrics.PostAsync($"/api/v1/agents/{agent}/activities", activity).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.NotEmpty(Items(await skills.GetAsync("/api/v1/skills", Http.Ct).ExpectAsync(HttpStatusCode.OK)));
        await skills.GetAsync("/api/v1/agents", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await skills.PostAsync($"/api/v1/agents/{agent}/activities", activity).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM agents WHERE tenant_id = @t", tenant));
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM agent_activities WHERE tenant_id = @t", tenant));
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM agent_metrics WHERE tenant_id = @t", tenant));
    }

    [Fact]
    public async Task Only_the_platform_admin_gets_the_platform_overview_with_its_four_maps()
    {
        var world = await WorldAsync();
        await fixture.Api.Client(world.AdminA.AccessToken).GetAsync("/api/v1/platform/overview", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await fixture.Api.Client(apiKey: world.KeyB).GetAsync("/api/v1/platform/overview", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var platform = fixture.Api.Client((await _scenario.PlatformAdminAsync()).AccessToken);
        var overview = await platform.GetAsync("/api/v1/platform/overview", Http.Ct).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(new[] { "active", "suspended", "provisioning", "failed" }, Keys(overview, "tenantsByStatus"));
        Assert.Equal(new[] { "starter", "growth", "enterprise" }, Keys(overview, "tenantsByPlan"));
        Assert.Equal(new[] { "active", "idle", "error", "paused", "provisioning" }, Keys(overview, "agentsByStatus"));
        Assert.Equal(new[] { "info", "warning", "critical" }, Keys(overview, "openAlertsBySeverity"));
        Assert.True(overview.GetProperty("tenantsByPlan").GetProperty("enterprise").GetInt32() >= 2);
        Assert.True(overview.GetProperty("agentsByStatus").GetProperty("active").GetInt32() >= 1);
        Assert.True(overview.GetProperty("openAlertsBySeverity").GetProperty("warning").GetInt32() >= 1);
    }

    private static IEnumerable<JsonElement> Items(JsonElement page) => page.GetProperty("items").EnumerateArray();

    private static IEnumerable<string> Keys(JsonElement overview, string map) =>
        overview.GetProperty(map).EnumerateObject().Select(p => p.Name);
}
