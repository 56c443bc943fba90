using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OtpNet;
using Platform.Api.Channels;

namespace Platform.Api.Tests;

/// <summary>The actors and helpers the outage tests need, on the <see cref="OutageFixture"/>'s servers.</summary>
internal sealed class OutageScenario(OutageFixture fixture)
{
    private readonly Scenario _scenario = new(new ApiFixtureView(fixture));

    /// <summary>A tenant on the enterprise plan (so load stays under its rate limit) with an agent and two keys.</summary>
    public async Task<(Session Admin, Guid AgentId, string RuntimeKey, string ReadKey)> EnterpriseTenantAsync()
    {
        var admin = await _scenario.SignUpAsync();
        var platform = await _scenario.PlatformAdminAsync();
        await fixture.Api.Client(platform.AccessToken).PatchAsync($"/api/v1/tenants/{admin.TenantId}", new { plan = "enterprise" })
            .ExpectAsync(HttpStatusCode.OK);
        var agent = await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/agents", new { name = "Outage agent" }).ExpectAsync(HttpStatusCode.Created);
        return (admin, agent.Id(), await CreateKeyAsync(admin, "activities:write"), await CreateKeyAsync(admin, "agents:read"));
    }

    /// <summary>A member of the tenant whose account is locked by failed sign-ins; returns its email.</summary>
    public async Task<string> LockedAccountAsync(Session admin)
    {
        var member = await _scenario.AddMemberAsync(admin);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var response = await fixture.Api.Client().PostAsync("/api/v1/auth/login", new { email = member.Email, password = "wrong-password-1" });
        }

        await fixture.Api.Client().PostAsync("/api/v1/auth/login", new { email = member.Email, password = member.Password })
            .ExpectProblemAsync(HttpStatusCode.Locked, "account_locked");
        return member.Email;
    }

    public Task<Session> SignUpAsync() => _scenario.SignUpAsync();

    public Task<string> CreateKeyAsync(Session admin, params string[] scopes) => _scenario.CreateApiKeyAsync(admin, scopes);

    public async Task<Guid> KeyIdAsync(string key)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand("SELECT id FROM api_keys WHERE prefix = @p", connection);
        command.Parameters.AddWithValue("p", key.Split('_')[1]);
        return (Guid)(await command.ExecuteScalarAsync(Http.Ct))!;
    }

    public async Task<TotpCodes> EnableMfaAsync(Session admin)
    {
        var client = fixture.Api.Client(admin.AccessToken);
        var setup = await client.PostAsync("/api/v1/auth/mfa/setup", null).ExpectAsync(HttpStatusCode.OK);
        var codes = new TotpCodes(setup.Str("secret"));
        await client.PostAsync("/api/v1/auth/mfa/enable", new { code = codes.Next() }).ExpectAsync(HttpStatusCode.OK);
        return codes;
    }

    /// <summary>A channel secret as the runtime would get it, decrypted by <paramref name="api"/>'s key ring.</summary>
    public async Task<string?> RevealChannelSecretAsync(ApiInstance api, Guid channelId, string name)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand("SELECT config::text FROM agent_channels WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", channelId);
        using var stored = JsonDocument.Parse((string)(await command.ExecuteScalarAsync(Http.Ct))!);
        return api.Services.GetRequiredService<ChannelSecrets>().Reveal(stored, name);
    }

    /// <summary>The <see cref="Scenario"/> helpers, pointed at the outage fixture's first replica.</summary>
    private sealed class ApiFixtureView(OutageFixture outage) : IScenarioHost
    {
        public ApiInstance Api => outage.Api;

        public string OwnerConnectionString => outage.Database.OwnerConnectionString;
    }
}

/// <summary>TOTP codes of successive time steps: the server accepts each step once, and only after the last one it accepted.</summary>
internal sealed class TotpCodes(string secret)
{
    private readonly Totp _totp = new(Base32Encoding.ToBytes(secret));
    private long _lastStep = long.MinValue;

    public string Next()
    {
        // The server accepts the current step and the next one; past those, the caller has to wait.
        foreach (var offset in new[] { 0, 30 })
        {
            var at = DateTime.UtcNow.AddSeconds(offset);
            var step = (long)(at - DateTime.UnixEpoch).TotalSeconds / 30;
            if (step > _lastStep)
            {
                _lastStep = step;
                return _totp.ComputeTotp(at);
            }
        }

        throw new InvalidOperationException("Both steps the server accepts now were used.");
    }
}
