namespace Platform.Bench;

/// <summary>One seeded tenant as the soak plays it: its signed-in users (the first is the admin), an API key, its agents, its posts.</summary>
internal sealed class SoakTenant(int number, IReadOnlyList<UserSession> users, string apiKey, IReadOnlyList<Guid> agents)
{
    private readonly ConcurrentDictionary<Guid, byte> _posted = new();

    public int Number => number;
    public UserSession Admin => users[0];
    public IReadOnlyList<UserSession> Members => [.. users.Skip(1)];
    public IReadOnlyList<UserSession> Users => users;

    /// <summary>A key with agents:read, activities:write and metrics:write, as an agent runtime holds.</summary>
    public string ApiKey => apiKey;
    public IReadOnlyList<Guid> Agents => agents;

    /// <summary>Activities (answered 201) this tenant's feed must deliver to each of its subscribers.</summary>
    public IReadOnlyCollection<Guid> Posted => [.. _posted.Keys];
    public void CountPosted(Guid activityId) => _posted.TryAdd(activityId, 0);

    /// <summary>The first N seeded tenants ("Bench 001" ...), each with its 10 users signed in once, a new API key and its 100 agents.</summary>
    public static async Task<IReadOnlyList<SoakTenant>> SignInAsync(BenchEnvironment environment, BenchData data, Uri api, int tenants, string runId)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var logins = new SemaphoreSlim(4); // bcrypt: a few at a time keeps the API answering its health probes
        return await Task.WhenAll(Enumerable.Range(1, tenants).Select(async n =>
        {
            var users = Enumerable.Range(1, 10).Select(u => new UserSession(SeededData.UserEmail(n, u))).ToArray();
            await Task.WhenAll(users.Select(async user =>
            {
                await logins.WaitAsync();
                try
                {
                    user.Take(await SeededData.LoginAsync(http, api, user.Email));
                }
                finally
                {
                    logins.Release();
                }
            }));

            var (_, key) = await SeededData.CreateApiKeyAsync(api, n, $"soak {runId}", "agents:read", "activities:write", "metrics:write");
            return new SoakTenant(n, users, key, await SeededData.AgentIdsAsync(environment, data.TenantIds[n - 1], 100));
        }));
    }
}

/// <summary>
/// One signed-in user, as a browser keeps it: a single login (bcrypt is expensive), then the refresh token is rotated when
/// three quarters of the access token's life are over. Requests read <see cref="AccessToken"/> when they are built.
/// </summary>
internal sealed class UserSession(string email)
{
    private volatile string _accessToken = "";
    private string _refreshToken = "";
    private long _renewAt;

    public string Email => email;
    public string AccessToken => _accessToken;

    public void Take(JsonElement tokens)
    {
        _refreshToken = tokens.GetProperty("refreshToken").GetString()!;
        _accessToken = tokens.GetProperty("accessToken").GetString()!;
        _renewAt = Stopwatch.GetTimestamp() + (long)(tokens.GetProperty("expiresIn").GetInt32() * 0.75 * Stopwatch.Frequency);
    }

    /// <summary>Rotates the tokens when due (requests outside the schedule: a recorder of their own); a refused refresh falls back to a new login.</summary>
    public async Task RenewIfDueAsync(HttpClient http, Uri api, LatencyRecorder recorder, CancellationToken stop)
    {
        if (Stopwatch.GetTimestamp() < _renewAt) return;

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.PostAsJsonAsync(new Uri(api, "/api/v1/auth/refresh"), new { refreshToken = _refreshToken }, stop);
            recorder.Record(response, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (response.IsSuccessStatusCode)
            {
                Take(JsonDocument.Parse(await response.Content.ReadAsStringAsync(stop)).RootElement);
                return;
            }

            Console.Error.WriteLine($"soak: refresh of {email} answered {(int)response.StatusCode}; logging in again");
            Take(await SeededData.LoginAsync(http, api, email));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
        {
            recorder.Record(ex is TaskCanceledException ? Outcome.Timeout : Outcome.ConnectionError, null);
            Console.Error.WriteLine($"soak: refresh of {email} failed: {ex.Message}");
        }
    }
}
