using System.Net;
using Npgsql;

namespace Platform.Api.Tests;

/// <summary>
/// Tenant A with one of everything the domain endpoints own (agent, channel, installed skill, activity,
/// metric, alert, health sample) and tenant B (admin, a key with every scope, an agent of its own).
/// </summary>
public sealed record DomainWorld(
    Session AdminA, Session MemberA, Guid AgentA, Guid ChannelA, Guid SkillA, Guid OtherSkill, Guid AlertA, string ContainerA,
    string PeriodA, Session AdminB, string KeyB, Guid AgentB)
{
    public Guid TenantA => AdminA.TenantId!.Value;

    public Guid TenantB => AdminB.TenantId!.Value;

    public string Url(string template) => template
        .Replace("{agentA}", AgentA.ToString(), StringComparison.Ordinal)
        .Replace("{channelA}", ChannelA.ToString(), StringComparison.Ordinal)
        .Replace("{skillA}", SkillA.ToString(), StringComparison.Ordinal)
        .Replace("{otherSkill}", OtherSkill.ToString(), StringComparison.Ordinal)
        .Replace("{alertA}", AlertA.ToString(), StringComparison.Ordinal)
        .Replace("{containerA}", ContainerA, StringComparison.Ordinal)
        .Replace("{periodA}", PeriodA, StringComparison.Ordinal)
        .Replace("{agentB}", AgentB.ToString(), StringComparison.Ordinal);
}

public static class DomainIsolationCases
{
    /// <summary>(method, url, body, status for B's admin, status for B's key): 403 where the credential lacks the permission first.</summary>
    public static TheoryData<string, string, string?, int, int> CrossTenantRequests => new()
    {
        { "GET", "/api/v1/agents/{agentA}", null, 404, 404 },
        { "PATCH", "/api/v1/agents/{agentA}", """{"name":"Stolen","description":"taken over"}""", 404, 404 },
        { "DELETE", "/api/v1/agents/{agentA}", null, 404, 404 },
        { "POST", "/api/v1/agents/{agentA}/pause", null, 404, 404 },
        { "POST", "/api/v1/agents/{agentA}/resume", null, 404, 404 },
        { "GET", "/api/v1/agents/{agentA}/channels", null, 404, 404 },
        { "POST", "/api/v1/agents/{agentA}/channels", """{"type":"slack","name":"#intruder","config":{"channel":"#intruder"}}""", 404, 404 },
        { "PATCH", "/api/v1/agents/{agentA}/channels/{channelA}", """{"name":"hijacked","enabled":false}""", 404, 404 },
        { "DELETE", "/api/v1/agents/{agentA}/channels/{channelA}", null, 404, 404 },
        // A's channel id under B's own agent: the channel must not be reachable through a route B owns.
        { "PATCH", "/api/v1/agents/{agentB}/channels/{channelA}", """{"name":"hijacked","enabled":false}""", 404, 404 },
        { "DELETE", "/api/v1/agents/{agentB}/channels/{channelA}", null, 404, 404 },
        { "GET", "/api/v1/agents/{agentA}/activities", null, 404, 404 },
        // A tenant_admin has no activities:write or metrics:write: only runtimes' keys post them.
        { "POST", "/api/v1/agents/{agentA}/activities", """{"type":"message","summary":"injected by B"}""", 403, 404 },
        { "GET", "/api/v1/agents/{agentA}/metrics", null, 404, 404 },
        { "POST", "/api/v1/agents/{agentA}/metrics", """{"periodStart":"{periodA}","periodMinutes":60,"tasksCompleted":999,"costUsd":999}""", 403, 404 },
        { "GET", "/api/v1/agents/{agentA}/skills", null, 404, 404 },
        // skills:install, alerts:read and alerts:manage are no key scopes.
        { "POST", "/api/v1/agents/{agentA}/skills", """{"skillId":"{otherSkill}"}""", 404, 403 },
        { "DELETE", "/api/v1/agents/{agentA}/skills/{skillA}", null, 404, 403 },
        { "GET", "/api/v1/containers/{containerA}/health", null, 404, 403 },
        { "POST", "/api/v1/alerts/{alertA}/acknowledge", null, 404, 403 },
        { "POST", "/api/v1/alerts/{alertA}/resolve", null, 404, 403 },
    };

    /// <summary>Requests a tenant_member of A is refused on A's own resources.</summary>
    public static TheoryData<string, string, string?> MemberForbiddenRequests => new()
    {
        { "POST", "/api/v1/alerts/{alertA}/acknowledge", null },
        { "POST", "/api/v1/alerts/{alertA}/resolve", null },
        { "GET", "/api/v1/audit-logs", null },
        { "GET", "/api/v1/audit-logs/export", null },
        { "POST", "/api/v1/skills", """{"slug":"member-skill-{agentA}","name":"Member Skill","description":"Not allowed.","category":"productivity","version":"1.0.0","compatibleRoles":["pm"]}""" },
        { "POST", "/api/v1/skills/{otherSkill}/deprecate", null },
        { "POST", "/api/v1/skills/{otherSkill}/remove", null },
        { "GET", "/api/v1/platform/overview", null },
    };

    public static async Task<DomainWorld> BuildAsync(ApiFixture fixture, Scenario scenario)
    {
        var adminA = await scenario.SignUpAsync();
        var adminB = await scenario.SignUpAsync();
        var platform = fixture.Api.Client((await scenario.PlatformAdminAsync()).AccessToken);

        // The matrix sends far more than the starter plan's 60 requests a minute per tenant.
        foreach (var tenant in new[] { adminA.TenantId, adminB.TenantId })
        {
            await platform.PatchAsync($"/api/v1/tenants/{tenant}", new { plan = "enterprise" }).ExpectAsync(HttpStatusCode.OK);
        }

        var memberA = await scenario.AddMemberAsync(adminA);
        var asA = fixture.Api.Client(adminA.AccessToken);
        var containerA = "ctr-" + Guid.NewGuid().ToString("N");
        var agentA = (await asA.PostAsync("/api/v1/agents", new { name = "Atlas", role = "pm" }).ExpectAsync(HttpStatusCode.Created)).Id();
        // Active, so that a pause leaking across tenants would succeed instead of answering 409.
        await scenario.CountAsync("WITH u AS (UPDATE agents SET status = 'active', container_id = @c WHERE id = @id RETURNING 1) SELECT count(*) FROM u",
            ("id", agentA), ("c", containerA));
        var channelA = (await asA.PostAsync($"/api/v1/agents/{agentA}/channels", new { type = "slack", name = "#product", config = new { channel = "#product" } })
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var skillA = await SkillIdAsync(asA, "meeting-notes");
        var otherSkill = await SkillIdAsync(asA, "slack-digest");
        await asA.PostAsync($"/api/v1/agents/{agentA}/skills", new { skillId = skillA }).ExpectAsync(HttpStatusCode.Created);

        var runtimeA = fixture.Api.Client(apiKey: await scenario.CreateApiKeyAsync(adminA, "activities:write", "metrics:write"));
        var period = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddHours(DateTime.UtcNow.Hour - 1).ToString("O");
        await runtimeA.PostAsync($"/api/v1/agents/{agentA}/activities", new { type = "task", summary = "Wrote the weekly status" }).ExpectAsync(HttpStatusCode.Created);
        await runtimeA.PostAsync($"/api/v1/agents/{agentA}/metrics", new { periodStart = period, periodMinutes = 60, tasksCompleted = 3, tokensIn = 1200 })
            .ExpectAsync(HttpStatusCode.OK);
        var alertA = await InsertAlertAsync(fixture, adminA.TenantId!.Value, agentA, containerA);
        await InsertHealthSampleAsync(fixture, adminA.TenantId!.Value, agentA, containerA);

        var keyB = await scenario.CreateApiKeyAsync(adminB, "agents:read", "agents:write", "activities:write", "metrics:write", "skills:read");
        var agentB = (await fixture.Api.Client(adminB.AccessToken).PostAsync("/api/v1/agents", new { name = "Bolt", role = "pm" })
            .ExpectAsync(HttpStatusCode.Created)).Id();
        return new DomainWorld(adminA, memberA, agentA, channelA, skillA, otherSkill, alertA, containerA, period, adminB, keyB, agentB);
    }

    public static async Task<Guid> SkillIdAsync(HttpClient client, string slug)
    {
        var page = await client.GetAsync($"/api/v1/skills?q={slug}", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        return page.GetProperty("items").EnumerateArray().Single(s => s.Str("slug") == slug).Id();
    }

    public static async Task<Guid> InsertAlertAsync(ApiFixture fixture, Guid tenantId, Guid agentId, string containerId)
    {
        var id = Guid.CreateVersion7();
        await ExecuteAsync(fixture, """
            INSERT INTO alerts (id, tenant_id, agent_id, container_id, kind, severity, title, message, fingerprint, created_at)
            VALUES (@id, @t, @a, @c, 'memory_pressure', 'warning', 'Memory pressure', 'Above 90% of the limit.', @f, now())
            """, ("id", id), ("t", tenantId), ("a", agentId), ("c", containerId), ("f", "memory_pressure:" + id));
        return id;
    }

    private static Task InsertHealthSampleAsync(ApiFixture fixture, Guid tenantId, Guid agentId, string containerId) => ExecuteAsync(fixture, """
        INSERT INTO container_health (id, tenant_id, agent_id, container_id, status, cpu_percent, memory_mb, memory_limit_mb, restart_count, sample_count, resolution, recorded_at)
        VALUES (@id, @t, @a, @c, 'degraded', 87.5, 900, 1024, 2, 1, 'raw', now() - interval '1 minute')
        """, ("id", Guid.CreateVersion7()), ("t", tenantId), ("a", agentId), ("c", containerId));

    private static async Task ExecuteAsync(ApiFixture fixture, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        Assert.Equal(1, await command.ExecuteNonQueryAsync(Http.Ct));
    }

    /// <summary>Every domain row of a tenant a request could change; equal before and after means nothing changed.</summary>
    public static async Task<string> DomainFingerprintAsync(this ApiFixture fixture, Guid tenantId) =>
        await fixture.TextAsync("""
            SELECT concat_ws(E'\n',
              (SELECT string_agg(concat_ws('|', id, name, description, role, status, model_tier, tool_policy::text, last_active_at, updated_at), ',' ORDER BY id) FROM agents WHERE tenant_id = @t),
              (SELECT string_agg(concat_ws('|', id, agent_id, type, name, config::text, enabled, updated_at), ',' ORDER BY id) FROM agent_channels WHERE tenant_id = @t),
              (SELECT string_agg(concat_ws('|', id, agent_id, summary), ',' ORDER BY id) FROM agent_activities WHERE tenant_id = @t),
              (SELECT string_agg(concat_ws('|', id, period_start, period_minutes, tasks_completed, tokens_in, cost_usd, updated_at), ',' ORDER BY id) FROM agent_metrics WHERE tenant_id = @t),
              (SELECT string_agg(concat_ws('|', id, agent_id, skill_id, config::text), ',' ORDER BY id) FROM skill_installations WHERE tenant_id = @t),
              (SELECT string_agg(concat_ws('|', id, acknowledged_at, acknowledged_by_user_id, resolved_at), ',' ORDER BY id) FROM alerts WHERE tenant_id = @t),
              (SELECT string_agg(concat_ws('|', id, container_id, status), ',' ORDER BY id) FROM container_health WHERE tenant_id = @t),
              'audit=' || (SELECT count(*) FROM audit_logs WHERE tenant_id = @t))
            """, ("t", tenantId)) ?? "";
}
