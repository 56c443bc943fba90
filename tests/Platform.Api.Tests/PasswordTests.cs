using System.Net;

namespace Platform.Api.Tests;

public sealed class PasswordTests(ApiFixture fixture)
{
    private const string NewPassword = "a-brand-new-long-passphrase";
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task A_wrong_current_password_is_refused_and_changes_nothing()
    {
        var admin = await _scenario.SignUpAsync();

        await fixture.Api.Client(admin.AccessToken)
            .PostAsync("/api/v1/auth/password", new { currentPassword = "not-my-password-at-all", newPassword = NewPassword })
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        await Login(admin.Email, admin.Password).ExpectAsync(HttpStatusCode.OK);
        await Login(admin.Email, NewPassword).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await Refresh(admin.RefreshToken).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, await _scenario.AuditRowsAsync(admin.TenantId, "auth.password_changed"));
    }

    [Fact]
    public async Task A_short_new_password_is_refused_naming_the_field()
    {
        var admin = await _scenario.SignUpAsync();

        var problem = await fixture.Api.Client(admin.AccessToken)
            .PostAsync("/api/v1/auth/password", new { currentPassword = admin.Password, newPassword = "short-11chr" })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        await Login(admin.Email, admin.Password).ExpectAsync(HttpStatusCode.OK);
        await Refresh(admin.RefreshToken).ExpectAsync(HttpStatusCode.OK);

        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains(fields, f => f.Equals("newPassword", StringComparison.OrdinalIgnoreCase));
        Assert.True(fields.Contains("newPassword"), problem.ToString());
    }

    [Fact]
    public async Task Changing_the_password_replaces_it_and_revokes_every_refresh_token()
    {
        var admin = await _scenario.SignUpAsync();
        var otherSession = await _scenario.LoginAsync(admin.Email, admin.Password);

        await fixture.Api.Client(admin.AccessToken)
            .PostAsync("/api/v1/auth/password", new { currentPassword = admin.Password, newPassword = NewPassword })
            .ExpectAsync(HttpStatusCode.NoContent);

        await Login(admin.Email, admin.Password).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var fresh = await Login(admin.Email, NewPassword).ExpectAsync(HttpStatusCode.OK);

        // Revoked tokens may answer token_reused or unauthorized; either way the session is over.
        await Refresh(admin.RefreshToken).ExpectAsync(HttpStatusCode.Unauthorized);
        await Refresh(otherSession.RefreshToken).ExpectAsync(HttpStatusCode.Unauthorized);

        await Refresh(fresh.Str("refreshToken")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, await _scenario.AuditRowsAsync(admin.TenantId, "auth.password_changed"));
    }

    private Task<HttpResponseMessage> Login(string email, string password) =>
        fixture.Api.Client().PostAsync("/api/v1/auth/login", new { email, password });

    private Task<HttpResponseMessage> Refresh(string refreshToken) =>
        fixture.Api.Client().PostAsync("/api/v1/auth/refresh", new { refreshToken });
}
