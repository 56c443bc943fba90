using System.Net;
using OtpNet;

namespace Platform.Api.Tests;

public sealed class MfaTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task Enabling_mfa_returns_ten_recovery_codes_and_login_then_needs_a_valid_code()
    {
        var (admin, authenticator, recoveryCodes) = await SignUpWithMfaAsync();

        Assert.Equal(10, recoveryCodes.Length);
        Assert.Equal(10, recoveryCodes.Distinct().Count());
        Assert.All(recoveryCodes, code => Assert.False(string.IsNullOrWhiteSpace(code)));
        var me = await fixture.Api.Client(admin.AccessToken).GetAsync("/api/v1/auth/me", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.True(me.GetProperty("mfaEnabled").GetBoolean());

        await Login(admin).ExpectProblemAsync(HttpStatusCode.Unauthorized, "mfa_required");
        await Login(admin, authenticator.WrongCode()).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        var login = await Login(admin, await authenticator.NextCodeAsync()).ExpectAsync(HttpStatusCode.OK);
        Assert.False(string.IsNullOrEmpty(login.Str("accessToken")));
        Assert.True(login.GetProperty("user").GetProperty("mfaEnabled").GetBoolean());
    }

    [Fact]
    public async Task A_totp_code_is_accepted_only_once()
    {
        var (admin, authenticator, _) = await SignUpWithMfaAsync();
        var code = await authenticator.NextCodeAsync();

        await Login(admin, code).ExpectAsync(HttpStatusCode.OK);
        await Login(admin, code).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task A_recovery_code_logs_in_once()
    {
        var (admin, _, recoveryCodes) = await SignUpWithMfaAsync();

        var login = await Login(admin, recoveryCodes[3]).ExpectAsync(HttpStatusCode.OK);
        Assert.False(string.IsNullOrEmpty(login.Str("accessToken")));
        await Login(admin, recoveryCodes[3]).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        // Using one code leaves the others valid.
        await Login(admin, recoveryCodes[4]).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Enabling_with_a_wrong_code_is_refused_and_mfa_stays_off()
    {
        var admin = await _scenario.SignUpAsync();
        var client = fixture.Api.Client(admin.AccessToken);
        var setup = await client.PostAsync("/api/v1/auth/mfa/setup", null, Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var authenticator = new Authenticator(setup.Str("secret"));

        var problem = await client.PostAsync("/api/v1/auth/mfa/enable", new { code = authenticator.WrongCode() })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("code", out _), problem.ToString());

        var me = await client.GetAsync("/api/v1/auth/me", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.False(me.GetProperty("mfaEnabled").GetBoolean());
        await Login(admin).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Disabling_with_password_and_code_turns_mfa_off()
    {
        var (admin, authenticator, _) = await SignUpWithMfaAsync();
        var client = fixture.Api.Client(admin.AccessToken);

        await client.PostAsync("/api/v1/auth/mfa/disable", new { password = "not-the-password-1", code = await authenticator.PeekCodeAsync() })
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await client.PostAsync("/api/v1/auth/mfa/disable", new { password = admin.Password, code = await authenticator.NextCodeAsync() })
            .ExpectAsync(HttpStatusCode.NoContent);

        var me = await client.GetAsync("/api/v1/auth/me", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.False(me.GetProperty("mfaEnabled").GetBoolean());
        await Login(admin).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, await _scenario.CountAsync(
            "SELECT count(*) FROM users WHERE id = @id AND mfa_secret_encrypted IS NULL AND cardinality(recovery_code_hashes) = 0", ("id", admin.UserId)));
    }

    [Fact]
    public async Task The_secret_and_recovery_codes_are_not_stored_in_plain_text()
    {
        var admin = await _scenario.SignUpAsync();
        var client = fixture.Api.Client(admin.AccessToken);
        var setup = await client.PostAsync("/api/v1/auth/mfa/setup", null, Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var secret = setup.Str("secret");
        Assert.StartsWith("otpauth://totp/", setup.Str("otpauthUri"), StringComparison.Ordinal);
        Assert.Contains("secret=" + secret, setup.Str("otpauthUri"), StringComparison.Ordinal);

        var enabled = await client.PostAsync("/api/v1/auth/mfa/enable", new { code = await new Authenticator(secret).NextCodeAsync() })
            .ExpectAsync(HttpStatusCode.OK);
        var recoveryCode = enabled.GetProperty("recoveryCodes")[0].GetString()!;

        Assert.Equal(1, await _scenario.CountAsync(
            """
            SELECT count(*) FROM users
            WHERE id = @id AND mfa_secret_encrypted IS NOT NULL
              AND strpos(upper(mfa_secret_encrypted), @secret) = 0
              AND cardinality(recovery_code_hashes) = 10
              AND NOT EXISTS (SELECT 1 FROM unnest(recovery_code_hashes) h WHERE strpos(lower(h), @code) > 0)
            """,
            ("id", admin.UserId), ("secret", secret), ("code", recoveryCode.ToLowerInvariant())));
    }

    private Task<HttpResponseMessage> Login(Session user, string? mfaCode = null) =>
        fixture.Api.Client().PostAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password, mfaCode });

    private async Task<(Session Admin, Authenticator Authenticator, string[] RecoveryCodes)> SignUpWithMfaAsync()
    {
        var admin = await _scenario.SignUpAsync();
        var client = fixture.Api.Client(admin.AccessToken);
        var setup = await client.PostAsync("/api/v1/auth/mfa/setup", null, Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var authenticator = new Authenticator(setup.Str("secret"));
        var enabled = await client.PostAsync("/api/v1/auth/mfa/enable", new { code = await authenticator.NextCodeAsync() })
            .ExpectAsync(HttpStatusCode.OK);
        var codes = enabled.GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToArray();
        return (admin, authenticator, codes);
    }

    /// <summary>
    /// The user's authenticator app. The server accepts the current 30-second step ±1, each step once,
    /// so every code handed out is for a step not used before.
    /// </summary>
    internal sealed class Authenticator(string secret)
    {
        private const int StepSeconds = 30;
        private readonly Totp _totp = new(Base32Encoding.ToBytes(secret));
        private long _lastUsedStep = long.MinValue;

        /// <summary>A code the server accepts now, marked used: the server accepts only steps after the last one it accepted.</summary>
        public async Task<string> NextCodeAsync()
        {
            var (step, at) = await NextStepAsync();
            _lastUsedStep = step;
            return _totp.ComputeTotp(at);
        }

        /// <summary>The code <see cref="NextCodeAsync"/> would return, for attempts that fail before the code is checked.</summary>
        public async Task<string> PeekCodeAsync() => _totp.ComputeTotp((await NextStepAsync()).At);

        private async Task<(long Step, DateTime At)> NextStepAsync()
        {
            while (true)
            {
                // Near the end of a step the server may already be in the next one; start a fresh step instead.
                var intoStep = (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds % StepSeconds;
                if (intoStep > StepSeconds - 2)
                {
                    await Task.Delay(TimeSpan.FromSeconds(StepSeconds - intoStep + 0.1), Http.Ct);
                }

                // The server accepts the current step and the next one.
                foreach (var offset in new[] { 0, StepSeconds })
                {
                    var at = DateTime.UtcNow.AddSeconds(offset);
                    if (Step(at) > _lastUsedStep)
                    {
                        return (Step(at), at);
                    }
                }

                await Task.Delay(TimeSpan.FromSeconds(StepSeconds - intoStep + 0.1), Http.Ct);
            }
        }

        /// <summary>Six digits that no step the server could accept now produces.</summary>
        public string WrongCode()
        {
            var valid = Enumerable.Range(-3, 7).Select(i => _totp.ComputeTotp(DateTime.UtcNow.AddSeconds(i * StepSeconds))).ToHashSet();
            return Enumerable.Range(0, 1_000_000).Select(i => ((i * 7919 + 123_457) % 1_000_000).ToString("D6")).First(c => !valid.Contains(c));
        }

        private static long Step(DateTime at) => (long)(at - DateTime.UnixEpoch).TotalSeconds / StepSeconds;
    }
}
