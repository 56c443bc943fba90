using System.Net;
using System.Text.Json;

namespace Platform.Api.Tests;

public sealed class TenantsTeamTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task A_platform_created_tenant_starts_provisioning_and_its_invite_yields_its_tenant_admin()
    {
        var platform = fixture.Api.Client((await _scenario.PlatformAdminAsync()).AccessToken);
        var email = Scenario.NewEmail("Owner");
        var company = "Made By Platform " + Guid.NewGuid().ToString("N")[..8];

        var created = await platform.PostAsync("/api/v1/tenants", new { companyName = company, adminEmail = email, plan = "growth" })
            .ExpectAsync(HttpStatusCode.Created);
        var tenant = created.GetProperty("tenant");
        var tenantId = tenant.Id();
        Assert.Equal((company, "provisioning", "growth", email.ToLowerInvariant()),
            (tenant.Str("companyName"), tenant.Str("status"), tenant.Str("plan"), tenant.Str("adminEmail")));
        var invite = created.GetProperty("adminInvite");
        Assert.Equal((email.ToLowerInvariant(), "tenant_admin"), (invite.Str("email"), invite.Str("role")));
        Assert.InRange(invite.GetProperty("expiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(6), DateTimeOffset.UtcNow.AddDays(8));
        Assert.Equal(1, await _scenario.CountAsync(
            "SELECT count(*) FROM team_invites WHERE tenant_id = @t AND email = @e AND role = 'tenant_admin' AND status = 'pending'",
            ("t", tenantId), ("e", email.ToLowerInvariant())));

        var accepted = await fixture.Api.Client().PostAsync("/api/v1/invites/accept", new { token = invite.Str("token"), name = "Olga Owner", password = Scenario.Password })
            .ExpectAsync(HttpStatusCode.Created);
        var user = accepted.GetProperty("user");
        Assert.Equal(("tenant_admin", tenantId), (user.Str("role"), user.GetProperty("tenantId").GetGuid()));

        var asOwner = fixture.Api.Client(accepted.Str("accessToken"));
        Assert.Equal(tenantId, (await asOwner.GetAsync("/api/v1/tenants/current", Http.Ct).ExpectAsync(HttpStatusCode.OK)).Id());
        var members = await platform.GetAsync($"/api/v1/team/members?tenantId={tenantId}", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var member = Assert.Single(members.GetProperty("items").EnumerateArray());
        Assert.Equal((user.Id(), "tenant_admin"), (member.Id("userId"), member.Str("role")));

        await platform.PostAsync("/api/v1/tenants", new { companyName = "Again", adminEmail = email, plan = "starter" })
            .ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task A_tenant_admin_renames_the_tenant_and_changes_its_model_defaults()
    {
        var admin = await _scenario.SignUpAsync();
        var client = fixture.Api.Client(admin.AccessToken);

        var updated = await client.PatchAsync($"/api/v1/tenants/{admin.TenantId}",
                new { companyName = "  Renamed Co  ", modelDefaults = new { modelTier = "opus", thinkingMode = "high" } })
            .ExpectAsync(HttpStatusCode.OK);

        foreach (var tenant in new[] { updated, await client.GetAsync("/api/v1/tenants/current", Http.Ct).ExpectAsync(HttpStatusCode.OK) })
        {
            Assert.Equal(("Renamed Co", "starter"), (tenant.Str("companyName"), tenant.Str("plan")));
            var defaults = tenant.GetProperty("modelDefaults");
            Assert.Equal(("opus", "high"), (defaults.Str("modelTier"), defaults.Str("thinkingMode")));
        }
    }

    [Fact]
    public async Task The_platform_admin_changes_plan_and_resource_limits()
    {
        var admin = await _scenario.SignUpAsync();
        var platform = fixture.Api.Client((await _scenario.PlatformAdminAsync()).AccessToken);
        var limits = new { maxAgents = 10, cpu = 1.5m, memoryMb = 2048, requestsPerMinute = 900 };

        var updated = await platform.PatchAsync($"/api/v1/tenants/{admin.TenantId}", new { plan = "growth", resourceLimits = limits })
            .ExpectAsync(HttpStatusCode.OK);
        var seenByTenant = await fixture.Api.Client(admin.AccessToken).GetAsync("/api/v1/tenants/current", Http.Ct).ExpectAsync(HttpStatusCode.OK);

        foreach (var tenant in new[] { updated, seenByTenant })
        {
            Assert.Equal("growth", tenant.Str("plan"));
            var actual = tenant.GetProperty("resourceLimits");
            Assert.Equal((10, 1.5m, 2048, 900), (actual.GetProperty("maxAgents").GetInt32(), actual.GetProperty("cpu").GetDecimal(),
                actual.GetProperty("memoryMb").GetInt32(), actual.GetProperty("requestsPerMinute").GetInt32()));
        }
    }

    [Fact]
    public async Task Invites_page_with_a_cursor_without_duplicates()
    {
        var admin = await _scenario.SignUpAsync();
        var client = fixture.Api.Client(admin.AccessToken);
        var created = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var invite = await client.PostAsync("/api/v1/team/invites", new { email = Scenario.NewEmail("paged"), role = "tenant_member" })
                .ExpectAsync(HttpStatusCode.Created);
            created.Add(invite.Id());
        }

        var first = await client.GetAsync("/api/v1/team/invites?limit=2", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var cursor = first.Str("nextCursor");
        var second = await client.GetAsync($"/api/v1/team/invites?limit=2&cursor={Uri.EscapeDataString(cursor)}", Http.Ct).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        Assert.Equal(1, second.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        var seen = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(i => i.Id()).ToList();
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(created.Order(), seen.Order());
    }

    [Fact]
    public async Task An_invite_token_works_only_once()
    {
        var admin = await _scenario.SignUpAsync();
        var invite = await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/team/invites", new { email = Scenario.NewEmail("once"), role = "tenant_member" })
            .ExpectAsync(HttpStatusCode.Created);
        var accept = new { token = invite.Str("token"), name = "Otto Once", password = Scenario.Password };

        await fixture.Api.Client().PostAsync("/api/v1/invites/accept", accept).ExpectAsync(HttpStatusCode.Created);
        var problem = await fixture.Api.Client().PostAsync("/api/v1/invites/accept", accept).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty("token", out _), problem.ToString());
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM users WHERE email = @e", ("e", invite.Str("email"))));
    }

    [Fact]
    public async Task Accepting_an_invite_for_an_email_that_has_an_account_is_a_conflict()
    {
        var elsewhere = await _scenario.SignUpAsync();
        var admin = await _scenario.SignUpAsync();
        var invite = await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/team/invites", new { email = elsewhere.Email, role = "tenant_admin" })
            .ExpectAsync(HttpStatusCode.Created);

        await fixture.Api.Client().PostAsync("/api/v1/invites/accept", new { token = invite.Str("token"), name = "Eve Elsewhere", password = Scenario.Password })
            .ExpectProblemAsync(HttpStatusCode.Conflict, "conflict");

        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM users WHERE email = @e AND tenant_id = @t", ("e", elsewhere.Email), ("t", elsewhere.TenantId!.Value)));
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM team_members WHERE tenant_id = @t AND user_id = @u", ("t", admin.TenantId!.Value), ("u", elsewhere.UserId)));
        await _scenario.LoginAsync(elsewhere.Email, elsewhere.Password);
    }

    [Fact]
    public async Task A_member_promoted_to_tenant_admin_can_invite_after_signing_in_again()
    {
        var admin = await _scenario.SignUpAsync();
        var member = await _scenario.AddMemberAsync(admin);
        var invite = new { email = Scenario.NewEmail("by-promoted"), role = "tenant_member" };
        await fixture.Api.Client(member.AccessToken).PostAsync("/api/v1/team/invites", invite).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var promoted = await fixture.Api.Client(admin.AccessToken).PatchAsync($"/api/v1/team/members/{member.UserId}", new { role = "tenant_admin" })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("tenant_admin", promoted.Str("role"));

        // The role change ended the member's sessions: the old access token (still saying tenant_member) is refused.
        await fixture.Api.Client(member.AccessToken).PostAsync("/api/v1/team/invites", invite).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await fixture.Api.Client().PostAsync("/api/v1/auth/refresh", new { refreshToken = member.RefreshToken }).ExpectAsync(HttpStatusCode.Unauthorized);

        var again = await _scenario.LoginAsync(member.Email, member.Password);
        var me = await fixture.Api.Client(again.AccessToken).GetAsync("/api/v1/auth/me", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("tenant_admin", me.Str("role"));
        await fixture.Api.Client(again.AccessToken).PostAsync("/api/v1/team/invites", invite).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Two_admins_demoting_each_other_at_once_leave_exactly_one_admin()
    {
        var first = await _scenario.SignUpAsync();
        var second = await _scenario.AddMemberAsync(first, "tenant_admin");

        var responses = await Task.WhenAll(
            fixture.Api.Client(first.AccessToken).PatchAsync($"/api/v1/team/members/{second.UserId}", new { role = "tenant_member" }),
            fixture.Api.Client(second.AccessToken).PatchAsync($"/api/v1/team/members/{first.UserId}", new { role = "tenant_member" }));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM team_members WHERE tenant_id = @t AND role = 'tenant_admin'", ("t", first.TenantId!.Value)));
    }
}
