namespace Platform.Api.Tests;

/// <summary>One valid body for every endpoint that takes one, with every field it accepts filled in.</summary>
public static class MalformedBodyEndpoints
{
    public static IEnumerable<BodyEndpoint> All(MalformedWorld w)
    {
        var p = MalformedRequests.Password;
        var unique = Guid.NewGuid().ToString("N")[..12];
        var agent = $"/api/v1/agents/{w.Agent}";
        var agentBody = """
            {"name":"Malformed UNIQUE","description":"Writes reports","role":"pm","modelTier":"opus","thinkingMode":"low",
             "toolPolicy":{"allowed":["jira.search"],"denied":["shell.exec"],"approvalRules":[{"tool":"mail.send","requiresApproval":true,"approver":"tenant_admin"}]},
             "assistedUser":{"role":"Head of Sales","name":"Sam","email":"sam@example.test","timezone":"Europe/Paris","preferences":{"tone":"brief"}}}
            """.Replace("UNIQUE", unique, StringComparison.Ordinal);
        var skillBody = $$"""
            {"slug":"malformed-{{unique}}","name":"Malformed {{unique}}","description":"Writes haikus.","category":"productivity","version":"1.0.0",
             "compatibleRoles":["pm","custom"],"capabilities":{"review":true,"languages":["en","fr"]},"permissions":{"scopes":["read"]},"publisher":"Acme"}
            """;

        yield return new("auth", "anon", "POST", "/api/v1/auth/signup",
            $$"""{"companyName":"Malformed {{unique}}","name":"Nora New","email":"nora-{{unique}}@example.test","password":"{{p}}"}""");
        yield return new("auth", "anon", "POST", "/api/v1/auth/login", $$"""{"email":"{{w.AdminEmail}}","password":"{{p}}","mfaCode":"123456"}""");
        yield return new("auth", "anon", "POST", "/api/v1/auth/refresh", $$"""{"refreshToken":"{{w.AdminRefresh}}"}""");
        yield return new("auth", "admin", "POST", "/api/v1/auth/logout", $$"""{"refreshToken":"{{w.AdminRefresh}}"}""");
        yield return new("auth", "admin", "POST", "/api/v1/auth/mfa/enable", """{"code":"123456"}""");
        yield return new("auth", "admin", "POST", "/api/v1/auth/mfa/disable", $$"""{"password":"{{p}}","code":"123456"}""");
        yield return new("auth", "admin", "POST", "/api/v1/auth/password", $$"""{"currentPassword":"{{p}}","newPassword":"another-{{p}}"}""");

        yield return new("tenants", "platform", "POST", "/api/v1/tenants",
            $$"""{"companyName":"Malformed {{unique}}","adminEmail":"owner-{{unique}}@example.test","plan":"growth"}""");
        yield return new("tenants", "admin", "PATCH", $"/api/v1/tenants/{w.TenantId}",
            """{"companyName":"Renamed Co","modelDefaults":{"modelTier":"haiku","thinkingMode":"high"}}""");
        yield return new("tenants", "platform", "PATCH", $"/api/v1/tenants/{w.TenantId}",
            """{"plan":"growth","resourceLimits":{"maxAgents":10,"cpu":1.5,"memoryMb":2048,"requestsPerMinute":900}}""");

        yield return new("team", "admin", "PATCH", $"/api/v1/team/members/{w.MemberId}", """{"role":"tenant_admin"}""");
        yield return new("invites", "admin", "POST", "/api/v1/team/invites", $$"""{"email":"ivy-{{unique}}@example.test","role":"tenant_member"}""");
        yield return new("invites", "anon", "POST", "/api/v1/invites/accept", $$"""{"token":"{{w.InviteToken}}","name":"Ivy Invitee","password":"{{p}}"}""");

        yield return new("api-keys", "admin", "POST", "/api/v1/api-keys",
            """{"name":"ci","scopes":["agents:read","metrics:write"],"expiresAt":"2099-01-01T00:00:00Z"}""");

        yield return new("agents", "admin", "POST", "/api/v1/agents", agentBody);
        yield return new("agents", "admin", "PATCH", agent, agentBody);

        yield return new("channels", "admin", "POST", agent + "/channels",
            """{"type":"slack","name":"#malformed","config":{"channel":"#malformed","botToken":"xoxb-1","retries":3},"enabled":true}""");
        yield return new("channels", "admin", "PATCH", $"{agent}/channels/{w.Channel}",
            """{"name":"#renamed","config":{"channel":"#renamed","nested":{"depth":[1,"two"]}},"enabled":false}""");

        yield return new("activities", "key", "POST", agent + "/activities",
            """{"type":"tool_call","summary":"Searched Jira","details":{"tool":"jira.search","args":{"q":"bug","limit":5},"tags":["a","b"]}}""");
        yield return new("metrics", "key", "POST", agent + "/metrics",
            """{"periodStart":"2026-01-01T10:00:00Z","periodMinutes":60,"tasksCompleted":3,"messages":4,"tokensIn":1200,"tokensOut":800,"errors":1,"avgResponseMs":250.5,"costUsd":1.25}""");

        yield return new("skills", "platform", "POST", "/api/v1/skills", skillBody);
        yield return new("skills", "platform", "PATCH", $"/api/v1/skills/{w.Draft}",
            """{"name":"Renamed","description":"Better.","category":"analytics","version":"1.1.0","compatibleRoles":["engineering"],"capabilities":{"x":1},"permissions":{"y":[true]},"publisher":"Other"}""");
        yield return new("skills", "admin", "PUT", $"/api/v1/skills/{w.Published}/rating", """{"rating":4}""");

        yield return new("skill installations", "admin", "POST", agent + "/skills",
            """{"skillId":"SKILL","config":{"digest":"daily","channels":["#ops"],"limits":{"max":3}}}""".Replace("SKILL", w.Published.ToString(), StringComparison.Ordinal));
    }
}
