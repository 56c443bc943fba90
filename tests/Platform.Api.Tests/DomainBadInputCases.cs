namespace Platform.Api.Tests;

/// <summary>
/// Bad requests for every domain endpoint with a body or parameters: (caller, method, url, raw body or
/// null, field the errors must name or null). Placeholders in braces are filled per row by
/// <see cref="DomainBadInputTests"/>; apart from the one defect each request would succeed, so a missed
/// check shows up as a change.
/// </summary>
public static class DomainBadInputCases
{
    private const string Agents = "/api/v1/agents";
    private const string Agent = "/api/v1/agents/{agent}";
    private const string Channels = "/api/v1/agents/{agent}/channels";
    private const string Channel = "/api/v1/agents/{agent}/channels/{channel}";
    private const string Activities = "/api/v1/agents/{agent}/activities";
    private const string Metrics = "/api/v1/agents/{agent}/metrics";
    private const string Skills = "/api/v1/skills";
    private const string Skill = "/api/v1/skills/{draft}";
    private const string Rating = "/api/v1/skills/{published}/rating";
    private const string Installs = "/api/v1/agents/{agent}/skills";

    public static TheoryData<string, string, string, string?, string?> All => new()
    {
        { "admin", "POST", Agents, """{"description":"No name at all"}""", "name" },
        { "admin", "POST", Agents, """{"name":"{long}"}""", "name" },
        { "admin", "POST", Agents, """{"name":"Bossy","role":"boss"}""", "role" },
        { "admin", "POST", Agents, """{"name":"Tiered","modelTier":"gpt"}""", "modelTier" },
        { "admin", "POST", Agents, """{"name":"Smuggler","tenantId":"{tenant}"}""", "tenantId" },
        { "admin", "POST", Agents, """{"name":"Broken""", null },
        { "admin", "POST", Agents, """{"name":"Loose","toolPolicy":{"allowed":"jira.search"}}""", "toolPolicy.allowed" },
        { "admin", "POST", Agents, "[]", null },
        { "admin", "POST", Agents, """{"name":"   "}""", "name" },
        { "admin", "POST", Agents, """{"name":"Wordy","description":"{long}"}""", "description" },
        { "admin", "PATCH", Agent, """{"status":"active"}""", "status" },
        { "admin", "PATCH", Agent, """{"description":"Fine","status":"paused"}""", "status" },
        { "admin", "PATCH", Agent, """{"name":"{long}"}""", "name" },
        { "admin", "PATCH", Agent, """{"role":"boss"}""", "role" },
        { "admin", "PATCH", Agent, """{"modelTier":"gpt"}""", "modelTier" },
        { "admin", "PATCH", Agent, """{"description":"Fine","tenantId":"{tenant}"}""", "tenantId" },
        { "admin", "PATCH", Agent, """{"toolPolicy":{"allowed":"jira.search"}}""", "toolPolicy.allowed" },
        { "admin", "PATCH", Agent, """{"description":""", null },
        { "admin", "PATCH", Agent, "{}", "body" },

        { "admin", "POST", Channels, """{"type":"fax","name":"Fax line"}""", "type" },
        { "admin", "POST", Channels, """{"type":"slack","name":"#array","config":["#array"]}""", "config" },
        { "admin", "POST", Channels, """{"type":"slack","config":{"channel":"#nameless"}}""", "name" },
        { "admin", "POST", Channels, """{"type":"slack","name":"#extra","agentId":"{agent}"}""", "agentId" },
        { "admin", "POST", Channels, """{"type":"slack","name":"{long}"}""", "name" },
        { "admin", "POST", Channels, """{"type":"slack","name":""", null },
        { "admin", "PATCH", Channel, """{"config":["#array"]}""", "config" },
        { "admin", "PATCH", Channel, """{"name":"Renamed","type":"teams"}""", "type" },
        { "admin", "PATCH", Channel, """{"enabled":"yes"}""", "enabled" },
        { "admin", "PATCH", Channel, """{"name":"{long}"}""", "name" },
        { "admin", "PATCH", Channel, "{}", "body" },

        { "key", "POST", Activities, """{"type":"shout","summary":"Hello"}""", "type" },
        { "key", "POST", Activities, """{"type":"message"}""", "summary" },
        { "key", "POST", Activities, """{"type":"message","summary":"Hello","details":"loud"}""", "details" },
        { "key", "POST", Activities, """{"type":"message","summary":"{600}"}""", "summary" },
        { "key", "POST", Activities, """{"type":"message","summary":"Hello","agentId":"{agent}"}""", "agentId" },

        { "key", "POST", Metrics, """{"periodStart":"{period}","periodMinutes":0}""", "periodMinutes" },
        { "key", "POST", Metrics, """{"periodStart":"{period}","periodMinutes":2000}""", "periodMinutes" },
        { "key", "POST", Metrics, """{"periodStart":"{period}","periodMinutes":60,"tokensIn":-1}""", "tokensIn" },
        { "key", "POST", Metrics, """{"periodMinutes":60,"tasksCompleted":1}""", "periodStart" },
        { "key", "POST", Metrics, """{"periodStart":"{period}","periodMinutes":60,"costUsd":"ten"}""", "costUsd" },
        { "key", "POST", Metrics, """{"periodStart":"yesterday","periodMinutes":60}""", "periodStart" },
        { "key", "POST", Metrics, """{"periodStart":"{period}","periodMinutes":60,"avgResponseMs":-5}""", "avgResponseMs" },
        { "key", "POST", Metrics, """{"periodStart":"{period}","periodMinutes":60,"agentId":"{agent}"}""", "agentId" },

        { "platform", "POST", Skills, SkillBody(slug: "Bad Slug!"), "slug" },
        { "platform", "POST", Skills, SkillBody(version: "1.0"), "version" },
        { "platform", "POST", Skills, SkillBody(category: "games"), "category" },
        { "platform", "POST", Skills, SkillBody(roles: "[]"), "compatibleRoles" },
        { "platform", "POST", Skills, SkillBody(roles: """["boss"]"""), "compatibleRoles" },
        { "platform", "POST", Skills, SkillBody(extra: ""","capabilities":["review"]"""), "capabilities" },
        { "platform", "PATCH", Skill, """{"name":"Renamed","installCount":99}""", "installCount" },
        { "platform", "PATCH", Skill, """{"version":"1.0"}""", "version" },
        { "platform", "PATCH", Skill, """{"category":"games"}""", "category" },
        { "platform", "PATCH", Skill, "{}", "body" },

        { "admin", "PUT", Rating, """{"rating":0}""", "rating" },
        { "admin", "PUT", Rating, """{"rating":6}""", "rating" },
        { "admin", "PUT", Rating, """{"rating":"five"}""", "rating" },
        { "admin", "PUT", Rating, "{}", "rating" },

        { "admin", "POST", Installs, """{"config":{}}""", "skillId" },
        { "admin", "POST", Installs, """{"skillId":"meeting-notes"}""", "skillId" },
        { "admin", "POST", Installs, """{"skillId":"{published}","config":42}""", "config" },
        // 422: well-formed, but a draft skill and a skill for another role cannot be installed.
        { "admin", "POST", Installs, """{"skillId":"{draft}"}""", "skillId" },
        { "admin", "POST", Installs, """{"skillId":"{codeReview}"}""", "skillId" },

        { "admin", "GET", "/api/v1/agents?status=sleeping", null, "status" },
        { "admin", "GET", "/api/v1/agents?role=boss", null, "role" },
        { "admin", "GET", "/api/v1/agents?limit=0", null, "limit" },
        { "admin", "GET", "/api/v1/agents?cursor=garbage", null, "cursor" },
        { "admin", "GET", "/api/v1/agents?q={300}", null, "q" },
        { "admin", "GET", "/api/v1/skills?sort=price", null, "sort" },
        { "admin", "GET", "/api/v1/skills?category=games", null, "category" },
        { "admin", "GET", "/api/v1/skills?role=boss", null, "role" },
        { "admin", "GET", "/api/v1/skills?limit=201", null, "limit" },
        { "admin", "GET", "/api/v1/alerts?state=closed", null, "state" },
        { "admin", "GET", "/api/v1/alerts?severity=loud", null, "severity" },
        { "admin", "GET", "/api/v1/audit-logs?severity=loud", null, "severity" },
        { "admin", "GET", "/api/v1/audit-logs?actorType=robot", null, "actorType" },
        { "admin", "GET", "/api/v1/audit-logs?targetId=not-a-guid", null, "targetId" },
        { "admin", "GET", "/api/v1/audit-logs?from=2026-01-02&to=2026-01-01", null, "from" },
        { "admin", "GET", "/api/v1/audit-logs/export?from=2026-01-02&to=2026-01-01", null, "from" },
        { "admin", "GET", Metrics + "?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", null, "from" },
        { "admin", "GET", Metrics + "?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", null, "from" },
        { "admin", "GET", "/api/v1/metrics/summary?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", null, "from" },
        { "admin", "GET", "/api/v1/containers/{container}/health?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", null, "from" },
        { "admin", "GET", "/api/v1/containers/{container}/health?resolution=daily", null, "resolution" },
        { "admin", "GET", "/api/v1/containers/{300}/health", null, "containerId" },
    };

    /// <summary>A valid skill for POST /skills, but for the one field a row spoils; name and slug are unique per row.</summary>
    private static string SkillBody(string slug = "{slug}", string version = "1.0.0", string category = "productivity", string roles = """["pm"]""", string extra = "") =>
        $$"""{"slug":"{{slug}}","name":"{skillName}","description":"Writes haikus.","category":"{{category}}","version":"{{version}}","compatibleRoles":{{roles}}{{extra}}}""";
}
