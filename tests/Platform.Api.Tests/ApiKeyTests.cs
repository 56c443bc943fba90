using System.Net;

namespace Platform.Api.Tests;

public sealed class ApiKeyTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task A_created_key_is_shown_once_and_never_listed()
    {
        var admin = await _scenario.SignUpAsync();
        var client = fixture.Api.Client(admin.AccessToken);

        var created = await client.PostAsync("/api/v1/api-keys", new { name = "ci runner", scopes = new[] { "agents:read", "metrics:write" } })
            .ExpectAsync(HttpStatusCode.Created);
        var key = created.Str("key");
        var apiKey = created.GetProperty("apiKey");
        Assert.StartsWith("pk_", key, StringComparison.Ordinal);
        Assert.Equal(key.Substring(3, 12), apiKey.Str("prefix"));
        Assert.Equal(new[] { "agents:read", "metrics:write" }, apiKey.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));

        using var response = await client.GetAsync("/api/v1/api-keys", Http.Ct);
        var listJson = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(apiKey.Str("prefix"), listJson, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listJson, StringComparison.Ordinal);
        Assert.DoesNotContain(key[16..], listJson, StringComparison.Ordinal);
        Assert.DoesNotContain("\"key", listJson, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_key_authenticates_only_with_its_exact_secret()
    {
        var admin = await _scenario.SignUpAsync();
        var key = await _scenario.CreateApiKeyAsync(admin, "agents:read");

        // Authenticated but not permitted: proves the key itself was accepted.
        await WithKey(key).GetAsync("/api/v1/tenants/current", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var wrongSecret = key[..16] + new string('x', key.Length - 16);
        await WithKey(wrongSecret).GetAsync("/api/v1/tenants/current", Http.Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await WithKey("pk_unknownprefx_" + key[16..]).GetAsync("/api/v1/tenants/current", Http.Ct)
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await WithKey("not-a-key").GetAsync("/api/v1/tenants/current", Http.Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_revoked_key_stops_working_at_once_here_and_within_seconds_on_every_replica()
    {
        var admin = await _scenario.SignUpAsync();
        var created = await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/api-keys", new { name = "to revoke", scopes = new[] { "skills:read" } })
            .ExpectAsync(HttpStatusCode.Created);
        var key = created.Str("key");

        // Both replicas cache the key before it is revoked.
        await WithKey(key).GetAsync("/api/v1/auth/me", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await fixture.SecondReplica.Client(apiKey: key).GetAsync("/api/v1/auth/me", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        await fixture.Api.Client(admin.AccessToken).DeleteAsync($"/api/v1/api-keys/{created.GetProperty("apiKey").Id()}", Http.Ct)
            .ExpectAsync(HttpStatusCode.NoContent);

        await WithKey(key).GetAsync("/api/v1/auth/me", Http.Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");

        // The other replica learns it from PostgreSQL (woken through Redis when it is up): within one poll interval.
        await Http.EventuallyAsync(() => fixture.SecondReplica.Client(apiKey: key).GetAsync("/api/v1/auth/me", Http.Ct),
            HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Another_tenants_key_cannot_be_revoked()
    {
        var owner = await _scenario.SignUpAsync();
        var stranger = await _scenario.SignUpAsync();
        var created = await fixture.Api.Client(owner.AccessToken).PostAsync("/api/v1/api-keys", new { name = "mine", scopes = new[] { "agents:read" } })
            .ExpectAsync(HttpStatusCode.Created);

        await fixture.Api.Client(stranger.AccessToken).DeleteAsync($"/api/v1/api-keys/{created.GetProperty("apiKey").Id()}", Http.Ct)
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await WithKey(created.Str("key")).GetAsync("/api/v1/auth/me", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_expired_key_is_refused()
    {
        var admin = await _scenario.SignUpAsync();
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(2);
        var created = await fixture.Api.Client(admin.AccessToken)
            .PostAsync("/api/v1/api-keys", new { name = "short-lived", scopes = new[] { "agents:read" }, expiresAt })
            .ExpectAsync(HttpStatusCode.Created);
        var key = created.Str("key");
        await WithKey(key).GetAsync("/api/v1/auth/me", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        await Task.Delay(expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1), Http.Ct);

        await WithKey(key).GetAsync("/api/v1/auth/me", Http.Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task An_unknown_scope_or_a_past_expiry_is_refused_and_creates_nothing()
    {
        var admin = await _scenario.SignUpAsync();
        var client = fixture.Api.Client(admin.AccessToken);

        var problem = await client.PostAsync("/api/v1/api-keys", new { name = "bad scope", scopes = new[] { "agents:read", "team:manage" } })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("scopes", out _), problem.ToString());

        problem = await client.PostAsync("/api/v1/api-keys", new { name = "past", scopes = new[] { "agents:read" }, expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("expiresAt", out _), problem.ToString());

        Assert.Equal(0, await KeysOf(admin));
    }

    [Fact]
    public async Task A_tenant_member_cannot_create_keys()
    {
        var admin = await _scenario.SignUpAsync();
        var member = await _scenario.AddMemberAsync(admin);

        await fixture.Api.Client(member.AccessToken).PostAsync("/api/v1/api-keys", new { name = "mine", scopes = new[] { "agents:read" } })
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(0, await KeysOf(admin));
    }

    [Theory]
    [InlineData("agents:read")]
    [InlineData("agents:write")]
    [InlineData("activities:write")]
    [InlineData("metrics:write")]
    [InlineData("skills:read")]
    public async Task No_scope_grants_tenant_team_key_or_profile_endpoints(string scope)
    {
        var admin = await _scenario.SignUpAsync();
        var key = await _scenario.CreateApiKeyAsync(admin, scope);
        var client = WithKey(key);
        var tenant = $"/api/v1/tenants/{admin.TenantId}";

        await client.GetAsync("/api/v1/tenants/current", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await client.GetAsync(tenant, Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await client.PatchAsync(tenant, new { companyName = "Renamed by key" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await client.GetAsync("/api/v1/team/members", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await client.GetAsync("/api/v1/team/invites", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await client.PostAsync("/api/v1/team/invites", new { email = Scenario.NewEmail(), role = "tenant_admin" })
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await client.GetAsync("/api/v1/api-keys", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await client.PostAsync("/api/v1/api-keys", new { name = "escalate", scopes = new[] { scope } })
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await client.GetAsync("/api/v1/auth/me", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        // The writes next to them, and the user-only auth endpoints, are refused too.
        await client.PatchAsync($"/api/v1/team/members/{admin.UserId}", new { role = "tenant_member" })
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await client.DeleteAsync($"/api/v1/team/members/{admin.UserId}", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await client.PostAsync("/api/v1/auth/mfa/setup", null, Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await client.PostAsync("/api/v1/auth/password", new { currentPassword = Scenario.Password, newPassword = "a-long-new-password" })
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var ownKeyId = (await fixture.Api.Client(admin.AccessToken).GetAsync("/api/v1/api-keys", Http.Ct).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("items")[0].Id();
        await client.DeleteAsync($"/api/v1/api-keys/{ownKeyId}", Http.Ct).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(1, await _scenario.CountAsync(
            "SELECT count(*) FROM api_keys WHERE id = @id AND revoked_at IS NULL", ("id", ownKeyId)));
        Assert.Equal(1, await _scenario.CountAsync(
            "SELECT count(*) FROM team_members WHERE user_id = @u AND role = 'tenant_admin'", ("u", admin.UserId)));
        Assert.Equal(1, await KeysOf(admin));
        Assert.Equal(0, await _scenario.CountAsync("SELECT count(*) FROM team_invites WHERE tenant_id = @t", ("t", admin.TenantId!.Value)));
        Assert.Equal(1, await _scenario.CountAsync(
            "SELECT count(*) FROM tenants WHERE id = @t AND company_name <> 'Renamed by key'", ("t", admin.TenantId!.Value)));
    }

    [Fact]
    public async Task Using_a_key_does_not_write_last_used_at_per_request()
    {
        // A fresh instance: its 30-second usage flush cannot have run yet, so the check is not timing-dependent.
        await using var api = new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString);
        var admin = await _scenario.SignUpAsync();
        var created = await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/api-keys", new { name = "busy", scopes = new[] { "agents:read" } })
            .ExpectAsync(HttpStatusCode.Created);

        for (var i = 0; i < 3; i++)
        {
            await api.Client(apiKey: created.Str("key")).GetAsync("/api/v1/tenants/current", Http.Ct)
                .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        }

        Assert.Equal(1, await _scenario.CountAsync(
            "SELECT count(*) FROM api_keys WHERE id = @id AND last_used_at IS NULL", ("id", created.GetProperty("apiKey").Id())));
    }

    private HttpClient WithKey(string key) => fixture.Api.Client(apiKey: key);

    private Task<long> KeysOf(Session admin) =>
        _scenario.CountAsync("SELECT count(*) FROM api_keys WHERE tenant_id = @t", ("t", admin.TenantId!.Value));
}
