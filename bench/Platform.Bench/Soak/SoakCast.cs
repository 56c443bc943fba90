using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Platform.Bench.Soak;

/// <summary>One seeded tenant as the soak uses it: its signed-in users, an API key, its agents, and the activities posted to it.</summary>
internal sealed class SoakTenant(int number, Guid id, UserSession admin, IReadOnlyList<UserSession> members, string apiKey, IReadOnlyList<Guid> agents)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, byte> _posted = new();

    public int Number { get; } = number;

    public Guid Id { get; } = id;

    /// <summary>The tenant_admin (audit logs need audit:read).</summary>
    public UserSession Admin { get; } = admin;

    public IReadOnlyList<UserSession> Members { get; } = members;

    /// <summary>A key with agents:read, activities:write and metrics:write, as an agent runtime holds.</summary>
    public string ApiKey { get; } = apiKey;

    public IReadOnlyList<Guid> Agents { get; } = agents;

    /// <summary>Activities this tenant's feed must deliver to each of its subscribers (answered 201).</summary>
    public long ActivitiesPosted => _posted.Count;

    public IReadOnlyCollection<Guid> PostedIds => [.. _posted.Keys];

    public void CountPosted(Guid activityId) => _posted.TryAdd(activityId, 0);
}

/// <summary>
/// Who the soak plays: the first N seeded tenants ("Bench 001" ...), each with its 10 users signed in once
/// (user 1 is the tenant admin), an API key made by the admin, and its 100 seeded agents.
/// </summary>
internal static class SoakCast
{
    public const int UsersPerTenant = 10;

    public static async Task<IReadOnlyList<SoakTenant>> SignInAsync(BenchEnvironment environment, BenchData data, Uri api, int tenants, string runId)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var logins = new SemaphoreSlim(4); // bcrypt: a few at a time keeps the API's 2 cores answering health probes
        var cast = await Task.WhenAll(Enumerable.Range(1, tenants).Select(async n =>
        {
            var users = Enumerable.Range(1, UsersPerTenant).Select(u => new UserSession($"bench-user-{n}-{u}@bench.test")).ToArray();
            await Task.WhenAll(users.Select(async user =>
            {
                await logins.WaitAsync();
                try
                {
                    await user.LoginAsync(http, api);
                }
                finally
                {
                    logins.Release();
                }
            }));

            var tenantId = data.TenantIds[n - 1];
            var key = await CreateApiKeyAsync(http, api, users[0], $"soak {runId}");
            return new SoakTenant(n, tenantId, users[0], users[1..], key, await AgentIdsAsync(environment, tenantId));
        }));
        return cast;
    }

    private static async Task<string> CreateApiKeyAsync(HttpClient http, Uri api, UserSession admin, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "/api/v1/api-keys"))
        {
            Content = JsonContent.Create(new { name, scopes = new[] { "agents:read", "activities:write", "metrics:write" } }),
        };
        request.Headers.Authorization = new("Bearer", admin.AccessToken);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/v1/api-keys: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("key").GetString()!;
    }

    private static async Task<IReadOnlyList<Guid>> AgentIdsAsync(BenchEnvironment environment, Guid tenantId)
    {
        await using var connection = environment.OwnerConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM agents WHERE tenant_id = @tenant AND description LIKE 'Bench agent %' ORDER BY name", connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }
}
