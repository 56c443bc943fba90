using System.Net;
using System.Text.Json;

namespace Platform.Api.Tests;

public sealed class BadInputTests(ApiFixture fixture)
{
    private static readonly Lock Gate = new();
    private static Task<World>? _world;
    private readonly Scenario _scenario = new(fixture);

    private sealed record World(Session Admin, Session Member, string InviteToken, Session Platform)
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
        var member = await _scenario.AddMemberAsync(admin);
        var invite = await fixture.Api.Client(admin.AccessToken)
            .PostAsync("/api/v1/team/invites", new { email = Scenario.NewEmail("invitee"), role = "tenant_member" })
            .ExpectAsync(HttpStatusCode.Created);
        var platform = await _scenario.PlatformAdminAsync();

        // About a hundred requests of one tenant: more than the starter plan's 60 a minute.
        await fixture.Api.Client(platform.AccessToken).PatchAsync($"/api/v1/tenants/{admin.TenantId}", new { plan = "enterprise" })
            .ExpectAsync(HttpStatusCode.OK);
        return new World(admin, member, invite.Str("token"), platform);
    }

    [Theory]
    [MemberData(nameof(BadInputCases.All), MemberType = typeof(BadInputCases))]
    public async Task A_bad_body_is_refused_as_validation_failed_and_changes_nothing(
        string caller, string method, string url, string body, int status, string? field)
    {
        var world = await WorldAsync();
        var email = Scenario.NewEmail("bad-input");
        var company = "Bad Input " + Guid.NewGuid().ToString("N");
        var before = await SnapshotAsync(world, email, company);
        var auditBefore = await _scenario.AuditRowsAsync(world.TenantId);

        var problem = await Client(world, caller).SendAsync(method, Fill(url, world, email, company), Fill(body, world, email, company))
            .ExpectProblemAsync((HttpStatusCode)status, "validation_failed");

        if (field is not null)
        {
            AssertNamesField(problem, field);
        }

        Assert.Equal(before, await SnapshotAsync(world, email, company));
        Assert.Equal(auditBefore, await _scenario.AuditRowsAsync(world.TenantId));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("cursor=garbage", "cursor")]
    public async Task A_bad_page_request_is_refused_as_validation_failed(string query, string field)
    {
        var world = await WorldAsync();

        var problem = await fixture.Api.Client(world.Admin.AccessToken).GetAsync($"/api/v1/team/members?{query}", Http.Ct)
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        AssertNamesField(problem, field);
    }

    [Theory]
    [InlineData("anon", "/api/v1/auth/signup", "name")]
    [InlineData("admin", "/api/v1/api-keys", "name")]
    public async Task A_body_over_256_kilobytes_is_refused_as_payload_too_large(string caller, string url, string bigField)
    {
        var world = await WorldAsync();
        var email = Scenario.NewEmail("too-large");
        var before = await SnapshotAsync(world, email, "-");
        var body = $$"""{"companyName":"Large Co","{{bigField}}":"{{new string('x', 300 * 1024)}}","email":"{{email}}","password":"{{Scenario.Password}}"}""";

        await Client(world, caller).SendAsync("POST", url, body).ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        Assert.Equal(before, await SnapshotAsync(world, email, "-"));
    }

    private HttpClient Client(World world, string caller) => caller switch
    {
        "admin" => fixture.Api.Client(world.Admin.AccessToken),
        "platform" => fixture.Api.Client(world.Platform.AccessToken),
        _ => fixture.Api.Client(),
    };

    private static string Fill(string template, World world, string email, string company) => template
        .Replace("{long}", new string('x', 10_000), StringComparison.Ordinal)
        .Replace("{longEmail}", new string('a', 387) + "@example.test", StringComparison.Ordinal)
        .Replace("{email}", email, StringComparison.Ordinal)
        .Replace("{company}", company, StringComparison.Ordinal)
        .Replace("{password}", Scenario.Password, StringComparison.Ordinal)
        .Replace("{adminEmail}", world.Admin.Email, StringComparison.Ordinal)
        .Replace("{refresh}", world.Admin.RefreshToken, StringComparison.Ordinal)
        .Replace("{inviteToken}", world.InviteToken, StringComparison.Ordinal)
        .Replace("{tenant}", world.TenantId.ToString(), StringComparison.Ordinal)
        .Replace("{member}", world.Member.UserId.ToString(), StringComparison.Ordinal);

    /// <summary>The shared tenant, plus whatever a row could have created under its own email or company name.</summary>
    private async Task<string> SnapshotAsync(World world, string email, string company) =>
        await fixture.TenantFingerprintAsync(world.TenantId) + "\n" + await fixture.TextAsync("""
            SELECT concat_ws('|',
              (SELECT count(*) FROM users WHERE email = lower(@e)),
              (SELECT count(*) FROM tenants WHERE admin_email = lower(@e) OR company_name = @c),
              (SELECT count(*) FROM team_invites WHERE email = lower(@e)))
            """, ("e", email), ("c", company));

    private static void AssertNamesField(JsonElement problem, string field)
    {
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object, $"no errors object: {problem}");
        var names = errors.EnumerateObject().Select(e => e.Name).ToList();
        Assert.True(names.Any(n => n.Contains(field, StringComparison.OrdinalIgnoreCase)), $"errors name [{string.Join(", ", names)}], not {field}: {problem}");
    }
}
