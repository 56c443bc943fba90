namespace Platform.Bench;

/// <summary>Addresses into the seeded data set (<see cref="Seeder"/>), and calls of the API that set up load against it.</summary>
internal static class SeededData
{
    public static string UserEmail(int tenantNo, int userNo) => $"bench-user-{tenantNo}-{userNo}@bench.test";

    /// <summary>The first <paramref name="count"/> seeded agents of a tenant (by name), read as the owner.</summary>
    public static async Task<IReadOnlyList<Guid>> AgentIdsAsync(BenchEnvironment environment, Guid tenantId, int count) =>
        await Sql.ScalarAsync<Guid[]>(environment.Database.OwnerConnectionString, "SELECT array_agg(id ORDER BY name) FROM (SELECT id, name FROM agents " +
            "WHERE tenant_id = @tenant AND description LIKE 'Bench agent %' ORDER BY name LIMIT @count) AS a", new Dictionary<string, object> { ["tenant"] = tenantId, ["count"] = count });

    /// <summary>POSTs JSON (with a bearer token if given) and returns the answer's body; throws unless it is a 2xx.</summary>
    public static async Task<JsonElement> PostAsync(HttpClient http, Uri url, object body, string? bearer = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = bearer is null ? null : new("Bearer", bearer);
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Check(response.IsSuccessStatusCode, $"POST {url.AbsolutePath}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<JsonElement> LoginAsync(HttpClient http, Uri api, string email) =>
        PostAsync(http, new Uri(api, "/api/v1/auth/login"), new { email, password = BenchData.Password });

    public static async Task<string> AccessTokenAsync(Uri api, string email)
    {
        using var http = new HttpClient();
        return (await LoginAsync(http, api, email)).GetProperty("accessToken").GetString()!;
    }

    /// <summary>Creates an API key of the tenant whose admin is bench-user-N-1; returns its id and secret.</summary>
    public static async Task<(Guid Id, string Secret)> CreateApiKeyAsync(Uri api, int tenantNo, string name, params string[] scopes)
    {
        using var http = new HttpClient();
        var created = await PostAsync(http, new Uri(api, "/api/v1/api-keys"), new { name, scopes }, await AccessTokenAsync(api, UserEmail(tenantNo, 1)));
        return (created.GetProperty("apiKey").GetProperty("id").GetGuid(), created.GetProperty("key").GetString()!);
    }
}
