using System.Net;

namespace Platform.Api.Tests;

/// <summary>
/// An access token stops working when its session ends, on the replica that ended it at once and on every other
/// replica within seconds (well inside the 60 s the contract allows), without waiting for the token to expire.
/// </summary>
public sealed class SessionEndTests(ApiFixture fixture)
{
    private static readonly TimeSpan OtherReplicas = TimeSpan.FromSeconds(10);
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task Logout_ends_the_sessions_access_tokens_and_only_that_session()
    {
        var admin = await _scenario.SignUpAsync();
        var otherSession = await _scenario.LoginAsync(admin.Email, admin.Password);
        await SeenByBothReplicasAsync(admin.AccessToken);

        await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/auth/logout", new { refreshToken = admin.RefreshToken })
            .ExpectAsync(HttpStatusCode.NoContent);

        await RefusedEverywhereAsync(admin.AccessToken);
        await Me(fixture.Api, otherSession.AccessToken).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_reused_refresh_token_ends_the_access_tokens_of_its_family()
    {
        var admin = await _scenario.SignUpAsync();
        var rotated = await fixture.Api.Client().PostAsync("/api/v1/auth/refresh", new { refreshToken = admin.RefreshToken }).ExpectAsync(HttpStatusCode.OK);
        var current = rotated.Str("accessToken");
        await SeenByBothReplicasAsync(current);

        await fixture.Api.Client().PostAsync("/api/v1/auth/refresh", new { refreshToken = admin.RefreshToken })
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "token_reused");

        await RefusedEverywhereAsync(current);
        await RefusedEverywhereAsync(admin.AccessToken);
    }

    [Fact]
    public async Task A_password_change_ends_every_session_of_the_user()
    {
        var admin = await _scenario.SignUpAsync();
        var otherSession = await _scenario.LoginAsync(admin.Email, admin.Password);
        await SeenByBothReplicasAsync(otherSession.AccessToken);

        await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/auth/password",
            new { currentPassword = admin.Password, newPassword = "a-brand-new-password-2" }).ExpectAsync(HttpStatusCode.NoContent);

        await RefusedEverywhereAsync(admin.AccessToken);
        await RefusedEverywhereAsync(otherSession.AccessToken);
        await Me(fixture.Api, (await _scenario.LoginAsync(admin.Email, "a-brand-new-password-2")).AccessToken).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Removal_from_the_team_and_a_role_change_end_the_members_sessions()
    {
        var admin = await _scenario.SignUpAsync();
        var removed = await _scenario.AddMemberAsync(admin);
        var demoted = await _scenario.AddMemberAsync(admin, "tenant_admin");
        await SeenByBothReplicasAsync(removed.AccessToken);
        await SeenByBothReplicasAsync(demoted.AccessToken);

        var team = fixture.Api.Client(admin.AccessToken);
        await team.DeleteAsync($"/api/v1/team/members/{removed.UserId}", Http.Ct).ExpectAsync(HttpStatusCode.NoContent);
        await team.PatchAsync($"/api/v1/team/members/{demoted.UserId}", new { role = "tenant_member" }).ExpectAsync(HttpStatusCode.OK);

        await RefusedEverywhereAsync(removed.AccessToken);
        await RefusedEverywhereAsync(demoted.AccessToken);
        var relogged = await _scenario.LoginAsync(demoted.Email, demoted.Password);
        Assert.Equal("tenant_member", (await Me(fixture.Api, relogged.AccessToken).ExpectAsync(HttpStatusCode.OK)).Str("role"));
    }

    [Fact]
    public async Task A_suspended_tenant_is_refused_on_every_replica_within_seconds()
    {
        var admin = await _scenario.SignUpAsync();
        var key = await _scenario.CreateApiKeyAsync(admin, "agents:read");
        await SeenByBothReplicasAsync(admin.AccessToken);
        await fixture.SecondReplica.Client(apiKey: key).GetAsync("/api/v1/agents", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var platform = await _scenario.PlatformAdminAsync();

        await fixture.Api.Client(platform.AccessToken).PostAsync($"/api/v1/tenants/{admin.TenantId}/suspend", null, Http.Ct).ExpectAsync(HttpStatusCode.OK);

        await Me(fixture.Api, admin.AccessToken).ExpectProblemAsync(HttpStatusCode.Forbidden, "tenant_suspended");
        await Http.EventuallyAsync(() => Me(fixture.SecondReplica, admin.AccessToken), HttpStatusCode.Forbidden, OtherReplicas);
        await Http.EventuallyAsync(() => fixture.SecondReplica.Client(apiKey: key).GetAsync("/api/v1/agents", Http.Ct), HttpStatusCode.Forbidden, OtherReplicas);
    }

    private static Task<HttpResponseMessage> Me(ApiInstance api, string accessToken) => api.Client(accessToken).GetAsync("/api/v1/auth/me", Http.Ct);

    private async Task SeenByBothReplicasAsync(string accessToken)
    {
        await Me(fixture.Api, accessToken).ExpectAsync(HttpStatusCode.OK);
        await Me(fixture.SecondReplica, accessToken).ExpectAsync(HttpStatusCode.OK);
    }

    private async Task RefusedEverywhereAsync(string accessToken)
    {
        await Me(fixture.Api, accessToken).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await Http.EventuallyAsync(() => Me(fixture.SecondReplica, accessToken), HttpStatusCode.Unauthorized, OtherReplicas);
    }
}
