using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data;
using Platform.Data.Security;
using Platform.Data.Tenancy;

namespace Platform.Api.Tests;

public sealed record Session(Guid UserId, Guid? TenantId, string Email, string Password, string AccessToken, string RefreshToken);

/// <summary>Where a <see cref="Scenario"/> runs: an API and the owner's connection to its database.</summary>
public interface IScenarioHost
{
    ApiInstance Api { get; }

    string OwnerConnectionString { get; }
}

/// <summary>An API instance of a test's own (other settings) on the fixture's database.</summary>
public sealed record OwnApiHost(ApiInstance Api, string OwnerConnectionString) : IScenarioHost;

/// <summary>Builds the actors a test needs through the public API, each in a fresh tenant.</summary>
public sealed class Scenario(IScenarioHost fixture)
{
    public const string Password = "correct-horse-battery-staple";

    public ApiInstance Api => fixture.Api;

    public static string NewEmail(string who = "user") => $"{who}-{Guid.NewGuid():N}@example.test";

    public async Task<Session> SignUpAsync(string? company = null)
    {
        var email = NewEmail("admin");
        var body = await Api.Client().PostAsync("/api/v1/auth/signup",
            new { companyName = company ?? "Company " + Guid.NewGuid().ToString("N")[..6], name = "Ada Admin", email, password = Password })
            .ExpectAsync(HttpStatusCode.Created);
        return ToSession(body, email, Password);
    }

    public async Task<Session> AddMemberAsync(Session admin, string role = "tenant_member")
    {
        var email = NewEmail(role);
        var invite = await Api.Client(admin.AccessToken).PostAsync("/api/v1/team/invites", new { email, role })
            .ExpectAsync(HttpStatusCode.Created);
        var body = await Api.Client().PostAsync("/api/v1/invites/accept", new { token = invite.Str("token"), name = "Max Member", password = Password })
            .ExpectAsync(HttpStatusCode.Created);
        return ToSession(body, email, Password);
    }

    public async Task<string> CreateApiKeyAsync(Session admin, params string[] scopes)
    {
        var body = await Api.Client(admin.AccessToken).PostAsync("/api/v1/api-keys", new { name = "key", scopes })
            .ExpectAsync(HttpStatusCode.Created);
        return body.Str("key");
    }

    public async Task<Session> PlatformAdminAsync()
    {
        var options = Platform.Tests.Support.PlatformDatabase.Options;
        var body = await Api.Client().PostAsync("/api/v1/auth/login", new { email = options.PlatformAdminEmail, password = options.PlatformAdminPassword })
            .ExpectAsync(HttpStatusCode.OK);
        return ToSession(body, options.PlatformAdminEmail, options.PlatformAdminPassword);
    }

    public async Task<Session> LoginAsync(string email, string password, string? mfaCode = null)
    {
        var body = await Api.Client().PostAsync("/api/v1/auth/login", new { email, password, mfaCode }).ExpectAsync(HttpStatusCode.OK);
        return ToSession(body, email, password);
    }

    /// <summary>
    /// The key the worker gives an agent's runtime: minted by the same data-library helper and inserted as the owner, since
    /// no API endpoint creates one.
    /// </summary>
    public async Task<(string Key, Guid Id)> MintRuntimeKeyAsync(Guid tenantId, Guid agentId)
    {
        var minted = RuntimeKeys.Mint(tenantId, agentId, DateTimeOffset.UtcNow);
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, fixture.OwnerConnectionString);
        await using var db = PlatformDbContext.Create(options.Options, new TenantContext());
        db.ApiKeys.Add(minted.Row);
        await db.SaveChangesAsync(Http.Ct);
        return (minted.Key, minted.Row.Id);
    }

    /// <summary>Row counts the owner sees (no RLS), to prove that a refused request changed nothing.</summary>
    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(fixture.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (long)(await command.ExecuteScalarAsync(Http.Ct))!;
    }

    public Task<long> AuditRowsAsync(Guid? tenantId, string? action = null) => action is null
        ? CountAsync("SELECT count(*) FROM audit_logs WHERE tenant_id IS NOT DISTINCT FROM @t", ("t", (object?)tenantId ?? DBNull.Value))
        : CountAsync("SELECT count(*) FROM audit_logs WHERE tenant_id IS NOT DISTINCT FROM @t AND action = @a", ("t", (object?)tenantId ?? DBNull.Value), ("a", action));

    private static Session ToSession(JsonElement body, string email, string password)
    {
        var user = body.GetProperty("user");
        Guid? tenantId = user.GetProperty("tenantId").ValueKind == JsonValueKind.Null ? null : user.GetProperty("tenantId").GetGuid();
        return new Session(user.Id(), tenantId, email, password, body.Str("accessToken"), body.Str("refreshToken"));
    }
}
