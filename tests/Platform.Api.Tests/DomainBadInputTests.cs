using System.Net;
using System.Text.Json;

namespace Platform.Api.Tests;

public sealed class DomainBadInputTests(ApiFixture fixture)
{
    private static readonly Lock Gate = new();
    private static Task<World>? _world;
    private readonly Scenario _scenario = new(fixture);

    private sealed record World(Session Admin, string Key, Session Platform, Guid Agent, Guid Channel, Guid Draft, Guid Published, Guid CodeReview)
    {
        public Guid TenantId => Admin.TenantId!.Value;
    }

    // Rows of a theory run one after another, so they share one tenant; each row proves it changed nothing.
    private Task<World> WorldAsync()
    {
        lock (Gate)
        {
            return _world ??= BuildAsync();
        }
    }

    private async Task<World> BuildAsync()
    {
        var admin = await _scenario.SignUpAsync();
        var platform = await _scenario.PlatformAdminAsync();
        var asPlatform = fixture.Api.Client(platform.AccessToken);

        // About eighty requests of one tenant: more than the starter plan's 60 a minute.
        await asPlatform.PatchAsync($"/api/v1/tenants/{admin.TenantId}", new { plan = "enterprise" }).ExpectAsync(HttpStatusCode.OK);
        var asAdmin = fixture.Api.Client(admin.AccessToken);
        var agent = (await asAdmin.PostAsync("/api/v1/agents", new { name = "Target", role = "custom" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var channel = (await asAdmin.PostAsync($"/api/v1/agents/{agent}/channels", new { type = "slack", name = "#ops", config = new { channel = "#ops" } })
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var key = await _scenario.CreateApiKeyAsync(admin, "activities:write", "metrics:write");
        var draft = await asPlatform.PostAsync("/api/v1/skills", new
        {
            slug = "bad-input-" + Guid.NewGuid().ToString("N")[..12], name = "Bad Input Draft", description = "Only for refused edits.",
            category = "productivity", version = "1.0.0", compatibleRoles = new[] { "custom" },
        }).ExpectAsync(HttpStatusCode.Created);
        var published = await DomainIsolationCases.SkillIdAsync(asAdmin, "meeting-notes");
        var codeReview = await DomainIsolationCases.SkillIdAsync(asAdmin, "code-review");
        return new World(admin, key, platform, agent, channel, draft.Id(), published, codeReview);
    }

    [Theory]
    [MemberData(nameof(DomainBadInputCases.All), MemberType = typeof(DomainBadInputCases))]
    public async Task A_bad_domain_request_is_refused_as_validation_failed_and_changes_nothing(
        string caller, string method, string url, string? body, string? field)
    {
        var world = await WorldAsync();
        var unique = Guid.NewGuid().ToString("N");
        var before = await SnapshotAsync(world, unique);

        using var response = await Client(world, caller).SendAsync(method, Fill(url, world, unique), body is null ? null : Fill(body, world, unique));
        var text = await response.Content.ReadAsStringAsync(Http.Ct);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"expected 400 or 422, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("validation_failed", problem.Str("code"));
        if (field is not null)
        {
            AssertNamesField(problem, field);
        }

        Assert.Equal(before, await SnapshotAsync(world, unique));
    }

    [Fact]
    public async Task A_last_event_id_that_no_feed_issued_is_refused_before_streaming()
    {
        var world = await WorldAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Http.Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/activities/stream") { Headers = { { "Last-Event-ID", "not-an-id" } } };

        using var response = await fixture.Api.Client(world.Admin.AccessToken).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token)).RootElement;
        Assert.Equal("validation_failed", problem.Str("code"));
        AssertNamesField(problem, "Last-Event-ID");
    }

    private HttpClient Client(World world, string caller) => caller switch
    {
        "admin" => fixture.Api.Client(world.Admin.AccessToken),
        "key" => fixture.Api.Client(apiKey: world.Key),
        "platform" => fixture.Api.Client(world.Platform.AccessToken),
        _ => throw new ArgumentOutOfRangeException(nameof(caller), caller, null),
    };

    private static string Fill(string template, World world, string unique) => template
        .Replace("{long}", new string('x', 10_000), StringComparison.Ordinal)
        .Replace("{600}", new string('s', 600), StringComparison.Ordinal)
        .Replace("{300}", new string('q', 300), StringComparison.Ordinal)
        .Replace("{container}", "ctr-bad-input", StringComparison.Ordinal)
        .Replace("{codeReview}", world.CodeReview.ToString(), StringComparison.Ordinal)
        .Replace("{tenant}", world.TenantId.ToString(), StringComparison.Ordinal)
        .Replace("{agent}", world.Agent.ToString(), StringComparison.Ordinal)
        .Replace("{channel}", world.Channel.ToString(), StringComparison.Ordinal)
        .Replace("{draft}", world.Draft.ToString(), StringComparison.Ordinal)
        .Replace("{published}", world.Published.ToString(), StringComparison.Ordinal)
        .Replace("{period}", "2026-01-01T10:00:00Z", StringComparison.Ordinal)
        .Replace("{slug}", "bad-input-" + unique, StringComparison.Ordinal)
        .Replace("{skillName}", "Bad Input " + unique, StringComparison.Ordinal);

    /// <summary>The tenant's domain rows, the draft skill, and any skill a row could have created under its unique name.</summary>
    private async Task<string> SnapshotAsync(World world, string unique) =>
        await fixture.TextAsync("""
            SELECT concat_ws('|',
              (SELECT count(*) FROM agents WHERE tenant_id = @t),
              (SELECT count(*) FROM agent_channels WHERE tenant_id = @t),
              (SELECT count(*) FROM agent_activities WHERE tenant_id = @t),
              (SELECT count(*) FROM agent_metrics WHERE tenant_id = @t),
              (SELECT count(*) FROM skill_installations WHERE tenant_id = @t),
              (SELECT count(*) FROM skill_ratings WHERE tenant_id = @t),
              (SELECT count(*) FROM audit_logs WHERE tenant_id = @t),
              (SELECT string_agg(concat_ws(':', id, updated_at, last_active_at), ',' ORDER BY id) FROM agents WHERE tenant_id = @t),
              (SELECT string_agg(concat_ws(':', id, updated_at, config::text), ',' ORDER BY id) FROM agent_channels WHERE tenant_id = @t),
              (SELECT concat_ws(':', updated_at, version, category, name) FROM skills WHERE id = @d),
              (SELECT count(*) FROM audit_logs WHERE target_id = @d),
              (SELECT count(*) FROM skills WHERE name = 'Bad Input ' || @u OR slug = 'bad-input-' || @u))
            """, ("t", world.TenantId), ("d", world.Draft), ("u", unique)) ?? "";

    private static void AssertNamesField(JsonElement problem, string field)
    {
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object, $"no errors object: {problem}");
        var names = errors.EnumerateObject().Select(e => e.Name).ToList();
        Assert.True(names.Any(n => n.Contains(field, StringComparison.OrdinalIgnoreCase)), $"errors name [{string.Join(", ", names)}], not {field}: {problem}");
    }
}
