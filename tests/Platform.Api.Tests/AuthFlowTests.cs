using System.Net;

namespace Platform.Api.Tests;

public sealed class AuthFlowTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task Signup_login_refresh_reuse_and_logout()
    {
        var admin = await _scenario.SignUpAsync();
        var api = fixture.Api;

        var tenant = await api.Client(admin.AccessToken).GetAsync("/api/v1/tenants/current", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("provisioning", tenant.Str("status"));
        Assert.Equal("starter", tenant.Str("plan"));

        var me = await api.Client(admin.AccessToken).GetAsync("/api/v1/auth/me", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(admin.Email, me.Str("email"));
        Assert.Equal("tenant_admin", me.Str("role"));
        Assert.Contains("team:manage", me.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));

        var login = await _scenario.LoginAsync(admin.Email.ToUpperInvariant(), admin.Password);
        var refreshed = await api.Client().PostAsync("/api/v1/auth/refresh", new { refreshToken = login.RefreshToken }).ExpectAsync(HttpStatusCode.OK);
        var rotated = refreshed.Str("refreshToken");
        Assert.NotEqual(login.RefreshToken, rotated);

        var auditBefore = await _scenario.AuditRowsAsync(admin.TenantId, "auth.token_reused");
        await api.Client().PostAsync("/api/v1/auth/refresh", new { refreshToken = login.RefreshToken })
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "token_reused");
        Assert.Equal(auditBefore + 1, await _scenario.AuditRowsAsync(admin.TenantId, "auth.token_reused"));

        // The whole family is revoked: the newest token of it no longer works either.
        await api.Client().PostAsync("/api/v1/auth/refresh", new { refreshToken = rotated })
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "token_reused");

        // Logout revokes the family of the token it is given.
        await api.Client(admin.AccessToken).PostAsync("/api/v1/auth/logout", new { refreshToken = admin.RefreshToken })
            .ExpectAsync(HttpStatusCode.NoContent);
        await api.Client().PostAsync("/api/v1/auth/refresh", new { refreshToken = admin.RefreshToken })
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "token_reused");
    }

    [Fact]
    public async Task Five_failed_logins_lock_the_account()
    {
        var admin = await _scenario.SignUpAsync();
        for (var i = 0; i < 4; i++)
        {
            await fixture.Api.Client().PostAsync("/api/v1/auth/login", new { email = admin.Email, password = "wrong-password-123" })
                .ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        await fixture.Api.Client().PostAsync("/api/v1/auth/login", new { email = admin.Email, password = "wrong-password-123" })
            .ExpectProblemAsync(HttpStatusCode.Locked, "account_locked");
        await fixture.Api.Client().PostAsync("/api/v1/auth/login", new { email = admin.Email, password = admin.Password })
            .ExpectProblemAsync(HttpStatusCode.Locked, "account_locked");
        Assert.Equal(1, await _scenario.AuditRowsAsync(admin.TenantId, "auth.account_locked"));
    }

    [Fact]
    public async Task Unknown_email_and_wrong_password_answer_alike()
    {
        var problem = await fixture.Api.Client().PostAsync("/api/v1/auth/login", new { email = Scenario.NewEmail(), password = "whatever-password" })
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal("The email, password or code is not valid.", problem.Str("detail"));
    }
}
