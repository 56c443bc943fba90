using System.Net;
using System.Net.Http.Headers;

namespace Platform.Api.Tests;

/// <summary>Headers every response carries, and who may tell the API a client's address and scheme.</summary>
public sealed class ResponseHygieneTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task Every_response_says_nosniff_and_api_responses_are_not_stored()
    {
        var admin = await _scenario.SignUpAsync();
        using var health = await fixture.Api.Client().GetAsync("/health", Http.Ct);
        using var login = await fixture.Api.Client().PostAsync("/api/v1/auth/login", new { email = admin.Email, password = admin.Password });
        using var key = await fixture.Api.Client(admin.AccessToken).PostAsync("/api/v1/api-keys", new { name = "k", scopes = new[] { "agents:read" } });
        using var refused = await fixture.Api.Client().GetAsync("/api/v1/agents", Http.Ct);

        Assert.All(new[] { health, login, key, refused }, r => Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single()));
        Assert.All(new[] { login, key, refused }, r => Assert.True(r.Headers.CacheControl?.NoStore, r.RequestMessage?.RequestUri?.ToString()));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
    }

    [Fact]
    public async Task Forwarded_headers_count_only_from_configured_proxies_and_production_sends_hsts()
    {
        var admin = await _scenario.SignUpAsync();
        await using var behindProxy = new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString,
            new Dictionary<string, string?> { ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" }, environment: "Production");

        var viaProxy = await LoginFromAsync(behindProxy, admin, "203.0.113.9");
        Assert.Contains("max-age=", viaProxy.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        var direct = await LoginFromAsync(fixture.Api, admin, "198.51.100.7");
        Assert.False(direct.Headers.Contains("Strict-Transport-Security"));

        var addresses = await _scenario.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action = 'auth.login' AND host(ip_address) = '203.0.113.9'", ("t", admin.TenantId!));
        var spoofed = await _scenario.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action = 'auth.login' AND host(ip_address) = '198.51.100.7'", ("t", admin.TenantId!));
        Assert.Equal(1, addresses);
        Assert.Equal(0, spoofed);
    }

    private static async Task<HttpResponseMessage> LoginFromAsync(ApiInstance api, Session user, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = JsonContent(new { email = user.Email, password = user.Password }),
        };
        request.Headers.Host = "api.example.test"; // HSTS is never sent to localhost names
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        request.Headers.Add("X-Forwarded-Proto", "https");
        var response = await api.Client().SendAsync(request, Http.Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, Http.Json), new MediaTypeHeaderValue("application/json"));
}
