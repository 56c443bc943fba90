using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.Bench.Scenarios;

/// <summary>Credentials for load against the API: a user's access token, or a new API key of a seeded tenant.</summary>
internal static class ApiCredentials
{
    /// <summary>Signs in and returns the access token (a JWT).</summary>
    public static async Task<string> LoginAsync(Uri api, string email)
    {
        using var http = new HttpClient { BaseAddress = api };
        using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password = BenchData.Password });
        login.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("accessToken").GetString()!;
    }

    /// <summary>Creates an API key of the tenant whose admin is bench-user-N-1, and returns its id and secret.</summary>
    public static async Task<(Guid Id, string Secret)> CreateApiKeyAsync(Uri api, int tenantNo, string name, params string[] scopes)
    {
        var token = await LoginAsync(api, SeededData.UserEmail(tenantNo, 1));
        using var http = new HttpClient { BaseAddress = api };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var created = await http.PostAsJsonAsync("/api/v1/api-keys", new { name, scopes });
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/v1/api-keys: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        }

        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("apiKey").GetProperty("id").GetGuid(), json.RootElement.GetProperty("key").GetString()!);
    }
}
