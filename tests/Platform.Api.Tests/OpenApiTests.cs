using System.Net;
using System.Text.Json;

namespace Platform.Api.Tests;

/// <summary>The OpenAPI document is the contract the frontend builds against: it must describe every route.</summary>
public sealed class OpenApiTests(ApiFixture fixture)
{
    public static TheoryData<string, string> Operations => new()
    {
        { "post", "/api/v1/auth/signup" }, { "post", "/api/v1/auth/login" }, { "post", "/api/v1/auth/refresh" },
        { "post", "/api/v1/auth/logout" }, { "get", "/api/v1/auth/me" }, { "post", "/api/v1/auth/mfa/setup" },
        { "post", "/api/v1/auth/mfa/enable" }, { "post", "/api/v1/auth/mfa/disable" }, { "post", "/api/v1/auth/password" },
        { "get", "/api/v1/tenants" }, { "post", "/api/v1/tenants" }, { "get", "/api/v1/tenants/current" },
        { "get", "/api/v1/tenants/{id}" }, { "patch", "/api/v1/tenants/{id}" }, { "delete", "/api/v1/tenants/{id}" },
        { "post", "/api/v1/tenants/{id}/suspend" }, { "post", "/api/v1/tenants/{id}/activate" },
        { "get", "/api/v1/team/members" }, { "patch", "/api/v1/team/members/{userId}" }, { "delete", "/api/v1/team/members/{userId}" },
        { "get", "/api/v1/team/invites" }, { "post", "/api/v1/team/invites" }, { "delete", "/api/v1/team/invites/{id}" },
        { "post", "/api/v1/invites/accept" },
        { "get", "/api/v1/api-keys" }, { "post", "/api/v1/api-keys" }, { "delete", "/api/v1/api-keys/{id}" },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Every_operation_is_described_with_its_success_and_problem_responses(string method, string path)
    {
        var document = await DocumentAsync();
        Assert.True(document.GetProperty("paths").TryGetProperty(path, out var item), $"{path} is missing");
        Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is missing");

        var responses = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
        Assert.Contains(responses, r => r.StartsWith('2'));
        Assert.Contains(responses, r => r.StartsWith('4'));
        Assert.Contains("503", responses);
        Assert.True(operation.TryGetProperty("summary", out _), $"{method} {path} has no summary");
    }

    [Fact]
    public async Task The_document_declares_bearer_and_api_key_security()
    {
        var schemes = (await DocumentAsync()).GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("Bearer").GetProperty("scheme").GetString());
        Assert.Equal("X-Api-Key", schemes.GetProperty("ApiKey").GetProperty("name").GetString());
    }

    private async Task<JsonElement> DocumentAsync()
    {
        var document = await fixture.Api.Client().GetAsync("/openapi/v1.json", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "platform-openapi.json"), document.GetRawText(), Http.Ct);
        return document;
    }
}
