using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Platform.Runtime;

namespace Platform.Api.Tests;

/// <summary>
/// One scenario per mutating operation of the API (<see cref="AuditCoverageTests"/> checks the list against the OpenAPI
/// document): the audit action its success writes, and how to perform it for a fresh tenant.
/// </summary>
public static class AuditScenarios
{
    private const string V1 = "/api/v1";

    /// <summary>
    /// Mutating operations that deliberately write no audit row, each with its reason. Every other successful mutation is
    /// audited, the runtime's activity and metric posts included (a refused one, like a failed login, is not a success and
    /// writes its own security event where the contract asks for one).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Exempt = new Dictionary<string, string>
    {
        ["POST /api/v1/streams/tickets"] =
            "A minute-long, single-use stand-in for the caller's own header on a read-only stream: it grants nothing new, "
            + "changes no tenant state, and browsers ask for one per stream, so a row each would bury the audit log.",
        ["POST /api/v1/platform/dashboard-tickets"] =
            "Issuing grants nothing until the worker's /hangfire/sign-in consumes it, and that sign-in is audited (platform.dashboard_signed_in).",
    };

    public static readonly IReadOnlyDictionary<string, AuditScenario> All = new Dictionary<string, AuditScenario>
    {
        // Auth: the anonymous ones are audited as the user they create or sign in.
        ["POST /api/v1/auth/signup"] = new("auth.signup", w => Ready(async () =>
        {
            var body = await w.Client().PostAsync($"{V1}/auth/signup",
                new { companyName = "Walked Co", name = "Wanda Walk", email = Scenario.NewEmail("walk"), password = Scenario.Password }).ExpectAsync(HttpStatusCode.Created);
            return [body.GetProperty("user").Id("tenantId")];
        })),
        ["POST /api/v1/auth/login"] = new("auth.login", async w =>
        {
            var admin = await w.Scenario.SignUpAsync();
            return async () => [(await w.Scenario.LoginAsync(admin.Email, admin.Password)).TenantId!.Value];
        }),
        ["POST /api/v1/auth/refresh"] = new("auth.token_refreshed", async w =>
        {
            var admin = await w.Scenario.SignUpAsync();
            return Posting(w.Client(), $"{V1}/auth/refresh", new { refreshToken = admin.RefreshToken }, HttpStatusCode.OK, admin.TenantId);
        }),
        ["POST /api/v1/auth/logout"] = new("auth.logout", async w =>
        {
            var admin = await w.Scenario.SignUpAsync();
            return Posting(w.Client(admin.AccessToken), $"{V1}/auth/logout", new { refreshToken = admin.RefreshToken }, HttpStatusCode.NoContent, admin.TenantId);
        }),
        ["POST /api/v1/auth/mfa/setup"] = new("auth.mfa_setup", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            return Posting(client, $"{V1}/auth/mfa/setup", null, HttpStatusCode.OK, admin.TenantId);
        }),
        ["POST /api/v1/auth/mfa/enable"] = new("auth.mfa_enabled", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            var authenticator = await SetUpMfaAsync(client);
            return Posting(client, $"{V1}/auth/mfa/enable", new { code = await authenticator.NextCodeAsync() }, HttpStatusCode.OK, admin.TenantId);
        }),
        ["POST /api/v1/auth/mfa/disable"] = new("auth.mfa_disabled", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            var authenticator = await SetUpMfaAsync(client);
            await client.PostAsync($"{V1}/auth/mfa/enable", new { code = await authenticator.NextCodeAsync() }).ExpectAsync(HttpStatusCode.OK);
            return Posting(client, $"{V1}/auth/mfa/disable", new { password = admin.Password, code = await authenticator.NextCodeAsync() },
                HttpStatusCode.NoContent, admin.TenantId);
        }),
        ["POST /api/v1/auth/password"] = new("auth.password_changed", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            return Posting(client, $"{V1}/auth/password", new { currentPassword = admin.Password, newPassword = Scenario.Password + "-2" },
                HttpStatusCode.NoContent, admin.TenantId);
        }),

        // Tenants.
        ["POST /api/v1/tenants"] = new("tenant.created", async w =>
        {
            var platform = w.Client((await w.Scenario.PlatformAdminAsync()).AccessToken);
            return async () =>
            {
                var body = await platform.PostAsync($"{V1}/tenants", new { companyName = "Walked Platform Co", adminEmail = Scenario.NewEmail("owner"), plan = "growth" })
                    .ExpectAsync(HttpStatusCode.Created);
                return [body.GetProperty("tenant").Id()];
            };
        }),
        ["PATCH /api/v1/tenants/{id}"] = new("tenant.updated", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            return Sending(client, "PATCH", $"{V1}/tenants/{admin.TenantId}", """{"companyName":"Renamed Walk"}""", HttpStatusCode.OK, admin.TenantId);
        }),
        ["POST /api/v1/tenants/{id}/suspend"] = new("tenant.suspended", async w => await AsPlatformOnFreshTenantAsync(w, "POST", "suspend", HttpStatusCode.OK)),
        ["POST /api/v1/tenants/{id}/activate"] = new("tenant.activated", async w => await AsPlatformOnFreshTenantAsync(w, "POST", "activate", HttpStatusCode.OK)),
        ["DELETE /api/v1/tenants/{id}"] = new("tenant.deleted", async w => await AsPlatformOnFreshTenantAsync(w, "DELETE", null, HttpStatusCode.NoContent)),

        // Team and invites.
        ["POST /api/v1/team/invites"] = new("team.invite_created", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            return Posting(client, $"{V1}/team/invites", new { email = Scenario.NewEmail("invitee"), role = "tenant_member" }, HttpStatusCode.Created, admin.TenantId);
        }),
        ["DELETE /api/v1/team/invites/{id}"] = new("team.invite_revoked", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            var invite = await client.PostAsync($"{V1}/team/invites", new { email = Scenario.NewEmail("revoked"), role = "tenant_member" }).ExpectAsync(HttpStatusCode.Created);
            return Sending(client, "DELETE", $"{V1}/team/invites/{invite.Id()}", null, HttpStatusCode.NoContent, admin.TenantId);
        }),
        ["POST /api/v1/invites/accept"] = new("team.invite_accepted", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            var invite = await client.PostAsync($"{V1}/team/invites", new { email = Scenario.NewEmail("joiner"), role = "tenant_member" }).ExpectAsync(HttpStatusCode.Created);
            return Posting(w.Client(), $"{V1}/invites/accept", new { token = invite.Str("token"), name = "Jo Joiner", password = Scenario.Password },
                HttpStatusCode.Created, admin.TenantId);
        }),
        ["PATCH /api/v1/team/members/{userId}"] = new("team.member_role_changed", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            var member = await w.Scenario.AddMemberAsync(admin);
            return Sending(client, "PATCH", $"{V1}/team/members/{member.UserId}", """{"role":"tenant_admin"}""", HttpStatusCode.OK, admin.TenantId);
        }),
        ["DELETE /api/v1/team/members/{userId}"] = new("team.member_removed", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            var member = await w.Scenario.AddMemberAsync(admin);
            return Sending(client, "DELETE", $"{V1}/team/members/{member.UserId}", null, HttpStatusCode.NoContent, admin.TenantId);
        }),

        // API keys.
        ["POST /api/v1/api-keys"] = new("api_key.created", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            return Posting(client, $"{V1}/api-keys", new { name = "walk", scopes = new[] { "agents:read" } }, HttpStatusCode.Created, admin.TenantId);
        }),
        ["DELETE /api/v1/api-keys/{id}"] = new("api_key.revoked", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            var key = await client.PostAsync($"{V1}/api-keys", new { name = "walk", scopes = new[] { "agents:read" } }).ExpectAsync(HttpStatusCode.Created);
            return Sending(client, "DELETE", $"{V1}/api-keys/{key.GetProperty("apiKey").Id()}", null, HttpStatusCode.NoContent, admin.TenantId);
        }),

        // Webhooks: audited as changes of their tenant, the webhook in the details.
        ["POST /api/v1/webhooks"] = new("webhook.created", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            return Posting(client, $"{V1}/webhooks", WebhookBody, HttpStatusCode.Created, admin.TenantId);
        }),
        ["PATCH /api/v1/webhooks/{id}"] = new("webhook.updated", async w =>
        {
            var (admin, client, id) = await WebhookAsync(w);
            return Sending(client, "PATCH", $"{V1}/webhooks/{id}", """{"enabled":false}""", HttpStatusCode.OK, admin.TenantId);
        }),
        ["DELETE /api/v1/webhooks/{id}"] = new("webhook.deleted", async w =>
        {
            var (admin, client, id) = await WebhookAsync(w);
            return Sending(client, "DELETE", $"{V1}/webhooks/{id}", null, HttpStatusCode.NoContent, admin.TenantId);
        }),
        ["POST /api/v1/webhooks/{id}/rotate-secret"] = new("webhook.secret_rotated", async w =>
        {
            var (admin, client, id) = await WebhookAsync(w);
            return Posting(client, $"{V1}/webhooks/{id}/rotate-secret", null, HttpStatusCode.OK, admin.TenantId);
        }),
        ["POST /api/v1/webhooks/{id}/test"] = new("webhook.tested", async w =>
        {
            var (admin, client, id) = await WebhookAsync(w);
            return Posting(client, $"{V1}/webhooks/{id}/test", null, HttpStatusCode.Accepted, admin.TenantId);
        }),
        ["POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/retry"] = new("webhook.delivery_retried", async w =>
        {
            var (admin, client, id) = await WebhookAsync(w);
            var test = await client.PostAsync($"{V1}/webhooks/{id}/test", null).ExpectAsync(HttpStatusCode.Accepted);
            return Posting(client, $"{V1}/webhooks/{id}/deliveries/{test.Id("deliveryId")}/retry", null, HttpStatusCode.Accepted, admin.TenantId);
        }),

        // The skills catalogue (platform rows, found by their skill) and ratings.
        ["POST /api/v1/skills"] = new("skill.created", async w =>
        {
            var platform = w.Client((await w.Scenario.PlatformAdminAsync()).AccessToken);
            return async () => [(await platform.PostAsync($"{V1}/skills", AuditWorld.SkillBody()).ExpectAsync(HttpStatusCode.Created)).Id()];
        }),
        ["PATCH /api/v1/skills/{id}"] = new("skill.updated", async w => await OnSkillAsync(w, publish: false, "PATCH", "", """{"name":"Renamed Skill"}""")),
        ["POST /api/v1/skills/{id}/publish"] = new("skill.published", async w => await OnSkillAsync(w, publish: false, "POST", "/publish", null)),
        ["POST /api/v1/skills/{id}/deprecate"] = new("skill.deprecated", async w => await OnSkillAsync(w, publish: true, "POST", "/deprecate", null)),
        ["POST /api/v1/skills/{id}/remove"] = new("skill.removed", async w => await OnSkillAsync(w, publish: true, "POST", "/remove", null)),
        ["PUT /api/v1/skills/{id}/rating"] = new("skill.rated", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            var skill = await w.SkillAsync();
            return Sending(client, "PUT", $"{V1}/skills/{skill}/rating", """{"rating":4}""", HttpStatusCode.OK, admin.TenantId);
        }),

        // Agents and what hangs off them.
        ["POST /api/v1/agents"] = new("agent.created", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            return Posting(client, $"{V1}/agents", new { name = "Walker", role = "custom" }, HttpStatusCode.Created, admin.TenantId);
        }),
        ["PATCH /api/v1/agents/{id}"] = new("agent.updated", async w => await OnAgentAsync(w, "provisioning", "PATCH", "", """{"description":"Walked"}""", HttpStatusCode.OK)),
        ["DELETE /api/v1/agents/{id}"] = new("agent.deleted", async w => await OnAgentAsync(w, "provisioning", "DELETE", "", null, HttpStatusCode.NoContent)),
        ["POST /api/v1/agents/{id}/pause"] = new("agent.paused", async w => await OnAgentAsync(w, "active", "POST", "/pause", null, HttpStatusCode.OK)),
        ["POST /api/v1/agents/{id}/resume"] = new("agent.resumed", async w => await OnAgentAsync(w, "paused", "POST", "/resume", null, HttpStatusCode.OK)),
        ["POST /api/v1/agents/{id}/wake"] = new("agent.woken", async w => await OnRunningAgentAsync(w, sleep: true, "/wake")),
        ["POST /api/v1/agents/{id}/restart"] = new("agent.restarted", async w => await OnRunningAgentAsync(w, sleep: false, "/restart")),
        ["POST /api/v1/agents/{agentId}/channels"] = new("agent.channel_created", async w => await OnAgentAsync(w, "provisioning", "POST", "/channels",
            """{"type":"slack","name":"#walk","config":{"channel":"#walk"}}""", HttpStatusCode.Created)),
        ["PATCH /api/v1/agents/{agentId}/channels/{channelId}"] = new("agent.channel_updated", async w => await OnChannelAsync(w, "PATCH", """{"name":"#renamed"}""", HttpStatusCode.OK)),
        ["DELETE /api/v1/agents/{agentId}/channels/{channelId}"] = new("agent.channel_deleted", async w => await OnChannelAsync(w, "DELETE", null, HttpStatusCode.NoContent)),
        ["POST /api/v1/agents/{agentId}/skills"] = new("agent.skill_installed", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            var agent = await w.AgentAsync(admin);
            var skill = await w.SkillAsync();
            return Sending(client, "POST", $"{V1}/agents/{agent}/skills", $$"""{"skillId":"{{skill}}"}""", HttpStatusCode.Created, admin.TenantId);
        }),
        ["DELETE /api/v1/agents/{agentId}/skills/{skillId}"] = new("agent.skill_uninstalled", async w =>
        {
            var (admin, client) = await w.TenantAsync();
            var agent = await w.AgentAsync(admin);
            var skill = await w.SkillAsync();
            await client.PostAsync($"{V1}/agents/{agent}/skills", new { skillId = skill }).ExpectAsync(HttpStatusCode.Created);
            return Sending(client, "DELETE", $"{V1}/agents/{agent}/skills/{skill}", null, HttpStatusCode.NoContent, admin.TenantId);
        }),

        // What an agent's runtime reports (an API key with the scope).
        ["POST /api/v1/agents/{id}/activities"] = new("agent.activity_posted", async w => await AsRuntimeAsync(w, "activities", """{"type":"task","summary":"Walked"}""", HttpStatusCode.Created)),
        ["POST /api/v1/agents/{id}/metrics"] = new("agent.metrics_recorded", async w => await AsRuntimeAsync(w, "metrics",
            $$"""{"periodStart":"{{new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero):O}}","periodMinutes":60,"tasksCompleted":2}""", HttpStatusCode.OK)),

        // Alerts, as the worker's health checks raise them.
        ["POST /api/v1/alerts/{id}/acknowledge"] = new("alert.acknowledged", async w => await OnAlertAsync(w, "acknowledge")),
        ["POST /api/v1/alerts/{id}/resolve"] = new("alert.resolved", async w => await OnAlertAsync(w, "resolve")),
    };

    private static readonly object WebhookBody = new { url = "https://hooks.example.test/in", events = new[] { "alert.raised" } };

    private static async Task<(Session Admin, HttpClient Client, Guid Id)> WebhookAsync(AuditWorld w)
    {
        var (admin, client) = await w.TenantAsync();
        var created = await client.PostAsync($"{V1}/webhooks", WebhookBody).ExpectAsync(HttpStatusCode.Created);
        return (admin, client, created.GetProperty("webhook").Id());
    }

    private static Task<Func<Task<Guid[]>>> Ready(Func<Task<Guid[]>> call) => Task.FromResult(call);

    private static Func<Task<Guid[]>> Posting(HttpClient client, string url, object? body, HttpStatusCode status, params Guid?[] ids) => async () =>
    {
        await client.PostAsync(url, body).ExpectAsync(status);
        return [.. ids.OfType<Guid>()];
    };

    private static Func<Task<Guid[]>> Sending(HttpClient client, string method, string url, string? body, HttpStatusCode status, params Guid?[] ids) => async () =>
    {
        await client.SendAsync(method, url, body).ExpectAsync(status);
        return [.. ids.OfType<Guid>()];
    };

    private static async Task<MfaTests.Authenticator> SetUpMfaAsync(HttpClient client)
    {
        var setup = await client.PostAsync($"{V1}/auth/mfa/setup", null).ExpectAsync(HttpStatusCode.OK);
        return new MfaTests.Authenticator(setup.Str("secret"));
    }

    private static async Task<Func<Task<Guid[]>>> AsPlatformOnFreshTenantAsync(AuditWorld w, string method, string? action, HttpStatusCode status)
    {
        var (admin, _) = await w.TenantAsync();
        var platform = w.Client((await w.Scenario.PlatformAdminAsync()).AccessToken);
        return Sending(platform, method, $"{V1}/tenants/{admin.TenantId}{(action is null ? "" : "/" + action)}", null, status, admin.TenantId);
    }

    private static async Task<Func<Task<Guid[]>>> OnSkillAsync(AuditWorld w, bool publish, string method, string suffix, string? body)
    {
        var skill = await w.SkillAsync(publish);
        var platform = w.Client((await w.Scenario.PlatformAdminAsync()).AccessToken);
        return Sending(platform, method, $"{V1}/skills/{skill}{suffix}", body, HttpStatusCode.OK, skill);
    }

    private static async Task<Func<Task<Guid[]>>> OnAgentAsync(AuditWorld w, string status, string method, string suffix, string? body, HttpStatusCode expected)
    {
        var (admin, client) = await w.TenantAsync();
        var agent = await w.AgentAsync(admin, status);
        return Sending(client, method, $"{V1}/agents/{agent}{suffix}", body, expected, admin.TenantId);
    }

    private static async Task<Func<Task<Guid[]>>> OnChannelAsync(AuditWorld w, string method, string? body, HttpStatusCode expected)
    {
        var (admin, client) = await w.TenantAsync();
        var agent = await w.AgentAsync(admin);
        var channel = await client.PostAsync($"{V1}/agents/{agent}/channels", new { type = "slack", name = "#walk", config = new { channel = "#walk" } })
            .ExpectAsync(HttpStatusCode.Created);
        return Sending(client, method, $"{V1}/agents/{agent}/channels/{channel.Id()}", body, expected, admin.TenantId);
    }

    private static async Task<Func<Task<Guid[]>>> AsRuntimeAsync(AuditWorld w, string what, string body, HttpStatusCode expected)
    {
        var (admin, _) = await w.TenantAsync();
        var agent = await w.AgentAsync(admin, "active");
        var key = await w.Scenario.CreateApiKeyAsync(admin, "activities:write", "metrics:write");
        return Sending(w.Client(apiKey: key), "POST", $"{V1}/agents/{agent}/{what}", body, expected, admin.TenantId);
    }

    private static async Task<Func<Task<Guid[]>>> OnAlertAsync(AuditWorld w, string action)
    {
        var (admin, client) = await w.TenantAsync();
        var agent = await w.AgentAsync(admin, "active");
        var alert = await DomainIsolationCases.InsertAlertAsync(w.Fixture, admin.TenantId!.Value, agent, "walked-container");
        return Sending(client, "POST", $"{V1}/alerts/{alert}/{action}", null, HttpStatusCode.OK, admin.TenantId);
    }

    /// <summary>Wake and restart drive the runtime: an agent with a real workload on the test run's Docker engine.</summary>
    private static async Task<Func<Task<Guid[]>>> OnRunningAgentAsync(AuditWorld w, bool sleep, string suffix)
    {
        await RuntimeEngine.RequireAsync();
        var api = w.Fixture.RuntimeApi;
        var runtime = api.Services.GetRequiredService<IAgentRuntime>();
        var admin = await w.Scenario.SignUpAsync();
        var agent = await w.AgentAsync(admin);
        var (key, _) = await w.Scenario.MintRuntimeKeyAsync(admin.TenantId!.Value, agent);
        var workload = await runtime.CreateAsync(new AgentWorkloadSpec(agent, admin.TenantId!.Value,
            new Dictionary<string, string> { ["PLATFORM_AGENT_ID"] = agent.ToString(), ["PLATFORM_API_KEY"] = key }, 0.5m, 256), Http.Ct);
        await w.ExecuteAsync("UPDATE agents SET status = 'active', container_id = @w, last_active_at = now() WHERE id = @a", ("w", workload), ("a", agent));
        if (sleep)
        {
            await runtime.FreezeAsync(workload, Http.Ct);
            await w.ExecuteAsync("UPDATE agents SET status = 'idle', idle_stage = 'frozen', idle_since = now(), idle_reason = 'test' WHERE id = @a", ("a", agent));
        }

        return Sending(api.Client(admin.AccessToken), "POST", $"{V1}/agents/{agent}{suffix}", null, HttpStatusCode.OK, admin.TenantId);
    }
}
