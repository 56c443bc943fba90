using System.Net;

namespace Platform.Api.Tests;

/// <summary>A frontend on its own origin: preflights answered and cached, and the headers it needs readable.</summary>
public sealed class CorsTests(ApiFixture fixture)
{
    private const string Console = "https://console.example.test";

    [Fact]
    public async Task An_allowed_origin_gets_cached_preflights_and_readable_headers_and_another_origin_gets_nothing()
    {
        // One comma-separated value, as the AppHost passes it.
        await using var api = new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString,
            new Dictionary<string, string?> { ["Cors:AllowedOrigins"] = $"{Console}, http://localhost:5173" });
        var client = api.Client();

        using (var preflight = await client.SendAsync(Preflight(Console), Http.Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
            Assert.Equal(Console, Single(preflight, "Access-Control-Allow-Origin"));
            Assert.Equal("600", Single(preflight, "Access-Control-Max-Age"));
            var allowed = Single(preflight, "Access-Control-Allow-Headers")!.ToLowerInvariant();
            Assert.Contains("authorization", allowed, StringComparison.Ordinal);
            Assert.Contains("last-event-id", allowed, StringComparison.Ordinal);
        }

        using (var stranger = await client.SendAsync(Preflight("https://evil.example.test"), Http.Ct))
        {
            Assert.False(stranger.Headers.Contains("Access-Control-Allow-Origin"));
        }

        var admin = await new Scenario(new OwnApiHost(api, fixture.OwnerConnectionString)).SignUpAsync();
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/agents")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { name = "Cors" }),
        };
        create.Headers.Add("Origin", Console);
        create.Headers.Authorization = new("Bearer", admin.AccessToken);
        using var created = await client.SendAsync(create, Http.Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.NotNull(created.Headers.Location);
        Assert.Equal(Console, Single(created, "Access-Control-Allow-Origin"));
        var exposed = Single(created, "Access-Control-Expose-Headers")!.Split(',').Select(h => h.Trim().ToLowerInvariant()).ToList();
        Assert.Contains("location", exposed);
        Assert.Contains("content-disposition", exposed);
        Assert.Contains("retry-after", exposed);
    }

    [Fact]
    public async Task Origins_listed_as_an_array_in_configuration_are_allowed()
    {
        // appsettings.json's "AllowedOrigins": [ ... ] arrives as indexed keys, not one value.
        await using var api = new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString,
            new Dictionary<string, string?> { ["Cors:AllowedOrigins:0"] = "http://localhost:5173", ["Cors:AllowedOrigins:1"] = Console });

        using var preflight = await api.Client().SendAsync(Preflight(Console), Http.Ct);
        Assert.Equal(Console, Single(preflight, "Access-Control-Allow-Origin"));
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/agents");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    private static string? Single(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values) ? string.Join(",", values) : null;
}
