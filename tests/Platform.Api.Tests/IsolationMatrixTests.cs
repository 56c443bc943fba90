using System.Net;

namespace Platform.Api.Tests;

public sealed class IsolationMatrixTests(ApiFixture fixture)
{
    private static readonly Lock Gate = new();
    private static Task<World>? _world;
    private readonly Scenario _scenario = new(fixture);

    /// <summary>Tenant A (admin, member, pending invite, API key) and tenant B (admin, key with every scope).</summary>
    private sealed record World(Session AdminA, Session MemberA, Guid InviteA, Guid KeyA, string CompanyA, Session AdminB, string KeyB)
    {
        public Guid TenantA => AdminA.TenantId!.Value;

        public string Url(string template) => template
            .Replace("{tenantA}", TenantA.ToString(), StringComparison.Ordinal)
            .Replace("{adminA}", AdminA.UserId.ToString(), StringComparison.Ordinal)
            .Replace("{memberA}", MemberA.UserId.ToString(), StringComparison.Ordinal)
            .Replace("{inviteA}", InviteA.ToString(), StringComparison.Ordinal)
            .Replace("{keyA}", KeyA.ToString(), StringComparison.Ordinal);
    }

    // Tests of one class run one after another, so they share one pair of tenants; none of them may change it.
    private Task<World> WorldAsync()
    {
        lock (Gate)
        {
            return _world ??= BuildAsync();
        }
    }

    private async Task<World> BuildAsync()
    {
        var company = "Isolation A " + Guid.NewGuid().ToString("N");
        var adminA = await _scenario.SignUpAsync(company);
        var memberA = await _scenario.AddMemberAsync(adminA);
        var invite = await fixture.Api.Client(adminA.AccessToken)
            .PostAsync("/api/v1/team/invites", new { email = Scenario.NewEmail("pending"), role = "tenant_member" })
            .ExpectAsync(HttpStatusCode.Created);
        var key = await fixture.Api.Client(adminA.AccessToken).PostAsync("/api/v1/api-keys", new { name = "a-key", scopes = new[] { "agents:read" } })
            .ExpectAsync(HttpStatusCode.Created);
        var adminB = await _scenario.SignUpAsync();
        var keyB = await _scenario.CreateApiKeyAsync(adminB, "agents:read", "agents:write", "activities:write", "metrics:write", "skills:read");
        return new World(adminA, memberA, invite.Id(), key.GetProperty("apiKey").Id(), company, adminB, keyB);
    }

    /// <summary>Every request naming a resource of tenant A, as tenant B would send it, and what B's admin gets.</summary>
    public static TheoryData<string, string, string?, int> CrossTenantRequests => new()
    {
        { "GET", "/api/v1/tenants/{tenantA}", null, 404 },
        { "PATCH", "/api/v1/tenants/{tenantA}", """{"companyName":"Taken over"}""", 404 },
        // Platform-only endpoints: the permission check answers before the tenant is looked up.
        { "POST", "/api/v1/tenants/{tenantA}/suspend", null, 403 },
        { "POST", "/api/v1/tenants/{tenantA}/activate", null, 403 },
        { "DELETE", "/api/v1/tenants/{tenantA}", null, 403 },
        { "PATCH", "/api/v1/team/members/{memberA}", """{"role":"tenant_admin"}""", 404 },
        { "PATCH", "/api/v1/team/members/{adminA}", """{"role":"tenant_member"}""", 404 },
        { "DELETE", "/api/v1/team/members/{memberA}", null, 404 },
        { "DELETE", "/api/v1/team/invites/{inviteA}", null, 404 },
        { "DELETE", "/api/v1/api-keys/{keyA}", null, 404 },
        { "GET", "/api/v1/team/members?tenantId={tenantA}", null, 404 },
        { "GET", "/api/v1/team/invites?tenantId={tenantA}", null, 404 },
        { "GET", "/api/v1/api-keys?tenantId={tenantA}", null, 404 },
        { "PATCH", "/api/v1/team/members/{memberA}?tenantId={tenantA}", """{"role":"tenant_admin"}""", 404 },
        { "DELETE", "/api/v1/team/invites/{inviteA}?tenantId={tenantA}", null, 404 },
        { "POST", "/api/v1/team/invites?tenantId={tenantA}", """{"email":"intruder@example.test","role":"tenant_admin"}""", 404 },
        { "POST", "/api/v1/api-keys?tenantId={tenantA}", """{"name":"intruder","scopes":["agents:read"]}""", 404 },
    };

    [Theory]
    [MemberData(nameof(CrossTenantRequests))]
    public async Task Tenant_b_admin_cannot_reach_tenant_a_resources(string method, string url, string? body, int expected)
    {
        var world = await WorldAsync();
        var before = await fixture.TenantFingerprintAsync(world.TenantA);

        await fixture.Api.Client(world.AdminB.AccessToken).SendAsync(method, world.Url(url), body)
            .ExpectProblemAsync((HttpStatusCode)expected, expected == 404 ? "not_found" : "forbidden");

        Assert.Equal(before, await fixture.TenantFingerprintAsync(world.TenantA));
    }

    [Theory]
    [MemberData(nameof(CrossTenantRequests))]
    public async Task Tenant_b_api_key_cannot_reach_tenant_a_resources(string method, string url, string? body, int adminStatus)
    {
        _ = adminStatus;
        var world = await WorldAsync();
        var before = await fixture.TenantFingerprintAsync(world.TenantA);

        using var response = await fixture.Api.Client(apiKey: world.KeyB).SendAsync(method, world.Url(url), body);

        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound,
            $"expected 403 or 404, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Http.Ct)}");
        Assert.Equal(before, await fixture.TenantFingerprintAsync(world.TenantA));
    }

    /// <summary>tenant_admin-only requests on the member's own tenant.</summary>
    public static TheoryData<string, string, string?> AdminOnlyRequests => new()
    {
        { "PATCH", "/api/v1/tenants/{tenantA}", """{"companyName":"Renamed by member"}""" },
        { "PATCH", "/api/v1/team/members/{adminA}", """{"role":"tenant_member"}""" },
        { "PATCH", "/api/v1/team/members/{memberA}", """{"role":"tenant_admin"}""" },
        { "DELETE", "/api/v1/team/members/{adminA}", null },
        { "POST", "/api/v1/team/invites", """{"email":"friend@example.test","role":"tenant_admin"}""" },
        { "DELETE", "/api/v1/team/invites/{inviteA}", null },
        { "GET", "/api/v1/api-keys", null },
        { "POST", "/api/v1/api-keys", """{"name":"member-key","scopes":["agents:read"]}""" },
        { "DELETE", "/api/v1/api-keys/{keyA}", null },
    };

    [Theory]
    [MemberData(nameof(AdminOnlyRequests))]
    public async Task A_tenant_member_is_forbidden_tenant_admin_endpoints(string method, string url, string? body)
    {
        var world = await WorldAsync();
        var before = await fixture.TenantFingerprintAsync(world.TenantA);

        await fixture.Api.Client(world.MemberA.AccessToken).SendAsync(method, world.Url(url), body)
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(before, await fixture.TenantFingerprintAsync(world.TenantA));
    }

    [Theory]
    [InlineData("/api/v1/team/members")]
    [InlineData("/api/v1/team/invites")]
    [InlineData("/api/v1/tenants/current")]
    [InlineData("/api/v1/tenants/{tenantA}")]
    public async Task A_tenant_member_can_read_its_team_and_tenant(string url)
    {
        var world = await WorldAsync();

        await fixture.Api.Client(world.MemberA.AccessToken).GetAsync(world.Url(url), Http.Ct).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_platform_admin_reads_tenant_a_and_finds_it_by_company_name()
    {
        var world = await WorldAsync();
        var platform = await _scenario.PlatformAdminAsync();
        var client = fixture.Api.Client(platform.AccessToken);

        var tenant = await client.GetAsync($"/api/v1/tenants/{world.TenantA}", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(world.CompanyA, tenant.Str("companyName"));

        var list = await client.GetAsync($"/api/v1/tenants?q={Uri.EscapeDataString(world.CompanyA)}", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(world.TenantA, item.Id());
    }

    [Theory]
    [InlineData("GET", null)]
    [InlineData("POST", """{"companyName":"Shadow Co","adminEmail":"shadow@example.test","plan":"enterprise"}""")]
    public async Task A_tenant_admin_cannot_list_or_create_tenants(string method, string? body)
    {
        var world = await WorldAsync();

        await fixture.Api.Client(world.AdminB.AccessToken).SendAsync(method, "/api/v1/tenants", body)
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_suspended_tenant_is_refused_until_it_is_activated_again()
    {
        var admin = await _scenario.SignUpAsync();
        var key = await _scenario.CreateApiKeyAsync(admin, "agents:read");
        var platform = fixture.Api.Client((await _scenario.PlatformAdminAsync()).AccessToken);
        var asAdmin = fixture.Api.Client(admin.AccessToken);
        var asKey = fixture.Api.Client(apiKey: key);
        var login = new { email = admin.Email, password = admin.Password };

        var suspended = await platform.SendAsync("POST", $"/api/v1/tenants/{admin.TenantId}/suspend").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("suspended", suspended.Str("status"));

        await asAdmin.GetAsync("/api/v1/tenants/current", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "tenant_suspended");
        await asKey.GetAsync("/api/v1/tenants/current", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "tenant_suspended");
        await fixture.Api.Client().PostAsync("/api/v1/auth/login", login).ExpectProblemAsync(HttpStatusCode.Forbidden, "tenant_suspended");
        await fixture.Api.Client().PostAsync("/api/v1/auth/refresh", new { refreshToken = admin.RefreshToken })
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "tenant_suspended");

        var activated = await platform.SendAsync("POST", $"/api/v1/tenants/{admin.TenantId}/activate").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("active", activated.Str("status"));

        await asAdmin.GetAsync("/api/v1/tenants/current", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        await fixture.Api.Client().PostAsync("/api/v1/auth/login", login).ExpectAsync(HttpStatusCode.OK);

        // A key has no tenant:read scope, so "not suspended any more" shows as the plain permission refusal.
        await asKey.GetAsync("/api/v1/tenants/current", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }
    [Fact]
    public async Task An_invite_of_a_suspended_tenant_cannot_be_accepted()
    {
        var admin = await _scenario.SignUpAsync();
        var invite = await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/team/invites", new { email = Scenario.NewEmail("late"), role = "tenant_member" })
            .ExpectAsync(HttpStatusCode.Created);
        var platform = fixture.Api.Client((await _scenario.PlatformAdminAsync()).AccessToken);
        await platform.SendAsync("POST", $"/api/v1/tenants/{admin.TenantId}/suspend").ExpectAsync(HttpStatusCode.OK);

        var accept = fixture.Api.Client().PostAsync("/api/v1/invites/accept", new { token = invite.Str("token"), name = "Late Larry", password = Scenario.Password });

        await accept.ExpectProblemAsync(HttpStatusCode.Forbidden, "tenant_suspended");
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM users WHERE email = @e", ("e", invite.Str("email"))));
    }
}
