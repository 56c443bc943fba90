namespace Platform.Bench;

/// <summary>Addresses into the seeded data set (<see cref="Seeder"/>), and credentials for load against the API.</summary>
internal static class SeededData
{
    public static string UserEmail(int tenantNo, int userNo) => $"bench-user-{tenantNo}-{userNo}@bench.test";

    /// <summary>The first <paramref name="count"/> seeded agents of a tenant (by name), read as the owner.</summary>
    public static async Task<IReadOnlyList<Guid>> AgentIdsAsync(BenchEnvironment environment, Guid tenantId, int count) =>
        await Sql.ScalarAsync<Guid[]>(environment.Database.OwnerConnectionString, "SELECT array_agg(id ORDER BY name) FROM (SELECT id, name FROM agents " +
            "WHERE tenant_id = @tenant AND description LIKE 'Bench agent %' ORDER BY name LIMIT @count) AS a", new Dictionary<string, object> { ["tenant"] = tenantId, ["count"] = count });

    /// <summary>Signs in; returns the whole answer (accessToken, refreshToken, expiresIn).</summary>
    public static async Task<JsonElement> LoginAsync(HttpClient http, Uri api, string email)
    {
        using var login = await http.PostAsJsonAsync(new Uri(api, "/api/v1/auth/login"), new { email, password = BenchData.Password });
        if (!login.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"login of {email}: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync()}");
        }

        return JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Signs in and returns the access token (a JWT).</summary>
    public static async Task<string> AccessTokenAsync(Uri api, string email)
    {
        using var http = new HttpClient();
        return (await LoginAsync(http, api, email)).GetProperty("accessToken").GetString()!;
    }

    /// <summary>Creates an API key of the tenant whose admin is bench-user-N-1; returns its id and secret.</summary>
    public static async Task<(Guid Id, string Secret)> CreateApiKeyAsync(Uri api, int tenantNo, string name, params string[] scopes)
    {
        using var http = new HttpClient { BaseAddress = api };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await AccessTokenAsync(api, UserEmail(tenantNo, 1)));
        using var created = await http.PostAsJsonAsync("/api/v1/api-keys", new { name, scopes });
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/v1/api-keys: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        }

        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("apiKey").GetProperty("id").GetGuid(), json.RootElement.GetProperty("key").GetString()!);
    }
}
