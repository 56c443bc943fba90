namespace Platform.Api.Tests;

/// <summary>Bad query values and route ids for every endpoint group, the health endpoints and the platform overview included.</summary>
public static class MalformedQueryCases
{
    private static readonly (string Query, Expect Expect, string? Field)[] PageQueries =
    [
        ("limit=abc", Expect.Refused, "limit"), ("limit=0", Expect.Refused, "limit"), ("limit=-1", Expect.Refused, "limit"),
        ("limit=201", Expect.Refused, "limit"), ("limit=99999999999", Expect.Refused, "limit"), ("limit=1.5", Expect.Refused, "limit"),
        ("limit=%00", Expect.TextRefused, "limit"), ("cursor=garbage", Expect.Refused, "cursor"), ("cursor=%00", Expect.TextRefused, "cursor"),
        ("cursor=%ED%A0%80", Expect.Refused, "cursor"), ("cursor=!!!!!!!!!!!!!!!!!!!!!!", Expect.Refused, "cursor"),
        ("unknown=%00", Expect.TextRefused, "unknown"), ("%00=1", Expect.TextRefused, "query"), ("q=a%00b", Expect.TextRefused, "q"),
        ("limit=1&limit=2", Expect.NoServerError, null), ("q=%ED%A0%80", Expect.NoServerError, null), ("unknown=%ED%A0%80", Expect.NoServerError, null), ("x=" + new string('y', 6000), Expect.NoServerError, null),
    ];

    public static IEnumerable<MalformedCase> All(MalformedWorld w)
    {
        var agent = $"/api/v1/agents/{w.Agent}";
        (string Group, string Caller, string Path, string[] Filters)[] lists =
        [
            ("tenants", "platform", "/api/v1/tenants", ["status=bogus", "plan=bogus", "q=%00", "q=" + new string('q', 300)]),
            ("team", "admin", "/api/v1/team/members", ["tenantId=abc", "tenantId=%00"]),
            ("team", "platform", $"/api/v1/team/members?tenantId={w.TenantId}", ["tenantId=not-a-guid", "tenantId=%00"]),
            ("invites", "admin", "/api/v1/team/invites", ["status=bogus", "status=%00", "tenantId=abc"]),
            ("api-keys", "admin", "/api/v1/api-keys", ["tenantId=abc", "tenantId=%00"]),
            ("agents", "admin", "/api/v1/agents", ["status=bogus", "role=bogus", "q=%00", "q=" + new string('q', 300), "status=%00"]),
            ("channels", "admin", agent + "/channels", []),
            ("activities", "admin", agent + "/activities", []),
            ("skills", "admin", "/api/v1/skills",
                ["category=bogus", "role=bogus", "status=bogus", "sort=bogus", "q=%00", "capability=%00", "capability=a:%00", "capability=" + new string('c', 300),
                 "sort=name&cursor=" + ForgedSkillCursor("a\\u0000b"), "sort=name&cursor=" + ForgedSkillCursor("\\ud800")]),
            ("skill installations", "admin", agent + "/skills", []),
            ("alerts", "admin", "/api/v1/alerts", ["severity=bogus", "state=bogus", "state=%00"]),
            ("audit", "admin", "/api/v1/audit-logs",
                ["actorType=bogus", "targetType=bogus", "targetId=abc", "targetId=%00", "action=%00", "action=" + new string('a', 101), "severity=bogus",
                 "from=abc", "to=%00", "from=2026-01-02&to=2026-01-01"]),
        ];

        foreach (var (group, caller, path, filters) in lists)
        {
            foreach (var (query, expect, field) in PageQueries)
            {
                yield return Get(w, group, caller, $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}{query}", expect, field);
            }

            foreach (var filter in filters)
            {
                var expect = filter.Contains("%00", StringComparison.Ordinal) || filter.Contains("%5Cu0000", StringComparison.Ordinal) ? Expect.TextRefused : Expect.Refused;
                yield return Get(w, group, caller, $"{path.Split('?')[0]}?{filter}", expect, filter.Contains("%00", StringComparison.Ordinal) ? filter.Split('=')[0] : null);
            }
        }

        string[] ranges = ["from=abc", "to=%00", "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from=99999-01-01"];
        foreach (var range in ranges)
        {
            var expect = range.Contains("%00", StringComparison.Ordinal) ? Expect.TextRefused : Expect.Refused;
            var field = range.Contains("%00", StringComparison.Ordinal) ? "to" : null;
            yield return Get(w, "metrics", "admin", $"{agent}/metrics?{range}", expect, field);
            yield return Get(w, "metrics", "admin", $"/api/v1/metrics/summary?{range}", expect, field);
            yield return Get(w, "health", "admin", $"/api/v1/containers/ctr-malformed/health?{range}", expect, field);
            if (!range.StartsWith("from=2020", StringComparison.Ordinal))
            {
                // The export has no range limit: only a malformed or reversed range is refused there.
                yield return Get(w, "audit", "admin", $"/api/v1/audit-logs/export?{range}", expect, field);
            }
        }

        yield return Get(w, "health", "admin", "/api/v1/containers/ctr-malformed/health?resolution=bogus", Expect.Refused, "resolution");
        yield return Get(w, "health", "admin", $"/api/v1/containers/{new string('c', 300)}/health", Expect.Refused, "containerId");
        yield return Get(w, "health", "admin", "/api/v1/containers/%ED%A0%80/health", Expect.Refused, status: 404);
        yield return Get(w, "health", "admin", "/api/v1/containers/a%2500b/health", Expect.Refused, status: 404);
        yield return Get(w, "health", "admin", "/api/v1/containers/health?x=%00", Expect.TextRefused, "x");
        yield return Get(w, "health", "anon", "/health?x=%00", Expect.TextRefused, "x");
        yield return Get(w, "health", "anon", "/alive?%00=%00", Expect.TextRefused, "query");
        yield return Get(w, "health", "anon", "/health?x=" + new string('y', 6000), Expect.NoServerError);
        yield return Get(w, "platform", "platform", "/api/v1/platform/overview?x=%00", Expect.TextRefused, "x");
        yield return Get(w, "platform", "platform", "/api/v1/platform/overview?limit=abc&cursor=%ED%A0%80", Expect.NoServerError);
        yield return Get(w, "platform", "admin", "/api/v1/platform/overview", Expect.Refused, status: 403);
        yield return Get(w, "auth", "admin", "/api/v1/auth/me?x=%00", Expect.TextRefused, "x");
        yield return Get(w, "activities", "admin", "/api/v1/activities/stream?x=%00", Expect.TextRefused, "x");

        foreach (var route in RouteCases(w))
        {
            yield return route;
        }
    }

    /// <summary>Unknown, malformed and foreign ids in every route that takes one: 404 (or 400 for a malformed free-text id), never a write.</summary>
    private static IEnumerable<MalformedCase> RouteCases(MalformedWorld w)
    {
        var agent = $"/api/v1/agents/{w.Agent}";
        (string Group, string Caller, string Method, string Template, string? Body)[] routes =
        [
            ("tenants", "admin", "GET", "/api/v1/tenants/{id}", null),
            ("tenants", "admin", "PATCH", "/api/v1/tenants/{id}", """{"companyName":"Nobody"}"""),
            ("tenants", "platform", "POST", "/api/v1/tenants/{id}/suspend", null),
            ("tenants", "platform", "POST", "/api/v1/tenants/{id}/activate", null),
            ("tenants", "platform", "DELETE", "/api/v1/tenants/{id}", null),
            ("team", "admin", "PATCH", "/api/v1/team/members/{id}", """{"role":"tenant_member"}"""),
            ("team", "admin", "DELETE", "/api/v1/team/members/{id}", null),
            ("invites", "admin", "DELETE", "/api/v1/team/invites/{id}", null),
            ("api-keys", "admin", "DELETE", "/api/v1/api-keys/{id}", null),
            ("agents", "admin", "GET", "/api/v1/agents/{id}", null),
            ("agents", "admin", "PATCH", "/api/v1/agents/{id}", """{"description":"Nobody"}"""),
            ("agents", "admin", "DELETE", "/api/v1/agents/{id}", null),
            ("agents", "admin", "POST", "/api/v1/agents/{id}/pause", null),
            ("agents", "admin", "POST", "/api/v1/agents/{id}/resume", null),
            ("channels", "admin", "GET", "/api/v1/agents/{id}/channels", null),
            ("channels", "admin", "POST", "/api/v1/agents/{id}/channels", """{"type":"slack","name":"#nobody"}"""),
            ("channels", "admin", "PATCH", agent + "/channels/{id}", """{"name":"#nobody"}"""),
            ("channels", "admin", "DELETE", agent + "/channels/{id}", null),
            ("activities", "key", "POST", "/api/v1/agents/{id}/activities", """{"type":"message","summary":"Nobody"}"""),
            ("activities", "admin", "GET", "/api/v1/agents/{id}/activities", null),
            ("metrics", "key", "POST", "/api/v1/agents/{id}/metrics", """{"periodStart":"2026-01-01T10:00:00Z","periodMinutes":60}"""),
            ("metrics", "admin", "GET", "/api/v1/agents/{id}/metrics", null),
            ("skills", "admin", "GET", "/api/v1/skills/{id}", null),
            ("skills", "platform", "PATCH", "/api/v1/skills/{id}", """{"name":"Nobody"}"""),
            ("skills", "platform", "POST", "/api/v1/skills/{id}/publish", null),
            ("skills", "platform", "POST", "/api/v1/skills/{id}/deprecate", null),
            ("skills", "platform", "POST", "/api/v1/skills/{id}/remove", null),
            ("skills", "admin", "PUT", "/api/v1/skills/{id}/rating", """{"rating":3}"""),
            ("skill installations", "admin", "POST", "/api/v1/agents/{id}/skills", $$"""{"skillId":"{{w.Published}}"}"""),
            ("skill installations", "admin", "DELETE", agent + "/skills/{id}", null),
            ("alerts", "admin", "POST", "/api/v1/alerts/{id}/acknowledge", null),
            ("alerts", "admin", "POST", "/api/v1/alerts/{id}/resolve", null),
        ];

        string[] ids = ["not-a-guid", Guid.NewGuid().ToString(), Guid.Empty.ToString(), "%2500", "%ED%A0%80", $"%7B{Guid.NewGuid()}%7D", w.Channel.ToString()];
        foreach (var (group, caller, method, template, body) in routes)
        {
            foreach (var id in ids.Where(id => !(template.StartsWith(agent, StringComparison.Ordinal) && id == w.Channel.ToString())))
            {
                var target = template.Replace("{id}", id, StringComparison.Ordinal);
                yield return new MalformedCase(group, $"{method} {target}",
                    MalformedRequests.Send(w, caller, method, target, body is null ? null : System.Text.Encoding.UTF8.GetBytes(body)), Expect.Refused, Status: 404);
            }
        }
    }

    private static MalformedCase Get(MalformedWorld w, string group, string caller, string target, Expect expect, string? field = null, int? status = null) =>
        new(group, "GET " + (target.Length > 120 ? target[..120] + "..." : target), MalformedRequests.Send(w, caller, "GET", target), expect, field, status);

    /// <summary>A skills cursor as the API encodes one (base64url JSON), carrying text the database cannot take.</summary>
    private static string ForgedSkillCursor(string escapedText) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($$"""{"Id":"{{Guid.NewGuid()}}","Text":"{{escapedText}}","Number":0}"""))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
