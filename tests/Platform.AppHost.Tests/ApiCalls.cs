using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.AppHost.Tests;

/// <summary>The few API calls the scale-out tests need to set up tenants, over a replica's own client.</summary>
internal static class ApiCalls
{
    public const string Password = "correct-horse-battery-staple";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A new starter tenant and the access token of its tenant_admin.</summary>
    public static async Task<(Guid TenantId, string AccessToken)> SignUpAsync(HttpClient anonymous)
    {
        var email = $"admin-{Guid.NewGuid():N}@example.test";
        var body = await PostAsync(anonymous, "/api/v1/auth/signup",
            new { companyName = "Scale-out " + Guid.NewGuid().ToString("N")[..6], name = "Ada Admin", email, password = Password },
            HttpStatusCode.Created);
        return (body.GetProperty("user").GetProperty("tenantId").GetGuid(), body.GetProperty("accessToken").GetString()!);
    }

    public static async Task<string> PlatformAdminTokenAsync(HttpClient anonymous)
    {
        var body = await PostAsync(anonymous, "/api/v1/auth/login",
            new { email = AppHostRun.PlatformAdminEmail, password = AppHostRun.PlatformAdminPassword }, HttpStatusCode.OK);
        return body.GetProperty("accessToken").GetString()!;
    }

    public static Task<JsonElement> PostAsync(HttpClient client, string url, object body, HttpStatusCode expected) =>
        ExpectAsync(client.PostAsJsonAsync(url, body, Json, Ct), expected);

    public static Task<JsonElement> PatchAsync(HttpClient client, string url, object body, HttpStatusCode expected) =>
        ExpectAsync(client.PatchAsJsonAsync(url, body, Json, Ct), expected);

    /// <summary>Asserts the status and returns the body, with the body in the failure message.</summary>
    public static async Task<JsonElement> ExpectAsync(Task<HttpResponseMessage> request, HttpStatusCode expected)
    {
        using var response = await request;
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected,
            $"{response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
