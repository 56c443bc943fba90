namespace Platform.Bench;

/// <summary>One seeded tenant as the soak plays it: its signed-in users (the first is the admin), an API key as an agent runtime holds, its agents, its posts.</summary>
internal sealed record SoakTenant(int Number, UserSession[] Users, string ApiKey, IReadOnlyList<Guid> Agents)
{
    /// <summary>Activities (answered 201) this tenant's feed must deliver to each of its subscribers.</summary>
    public ConcurrentDictionary<Guid, byte> Posted { get; } = new();

    /// <summary>The first N seeded tenants, each with its 10 users signed in once (a few at a time: bcrypt), a new API key and its 100 agents.</summary>
    public static async Task<SoakTenant[]> SignInAsync(BenchEnvironment environment, Uri api, int tenants, string runId)
    {
        var data = await environment.DataAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var logins = new SemaphoreSlim(4);
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

/// <summary>One signed-in user, as a browser keeps it: one login, then the refresh token rotated when three quarters of the access token's life are over.</summary>
internal sealed class UserSession(string email)
{
    private string _refreshToken = "";
    private long _renewAt;

    public string Email => email;
    public string AccessToken { get; private set; } = "";

    public void Take(JsonElement tokens)
    {
        (_refreshToken, AccessToken) = (tokens.GetProperty("refreshToken").GetString()!, tokens.GetProperty("accessToken").GetString()!);
        _renewAt = Stopwatch.GetTimestamp() + (long)(tokens.GetProperty("expiresIn").GetInt32() * 0.75 * Stopwatch.Frequency);
    }

    /// <summary>Rotates the tokens when due (outside the load's schedule: a recorder of their own); a refused refresh falls back to a new login.</summary>
    public async Task RenewIfDueAsync(HttpClient http, Uri api, LatencyRecorder recorder)
    {
        if (Stopwatch.GetTimestamp() < _renewAt) return;

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.PostAsJsonAsync(new Uri(api, "/api/v1/auth/refresh"), new { refreshToken = _refreshToken });
            recorder.Record(response, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Take(response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement : await SeededData.LoginAsync(http, api, email));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            recorder.Record(Outcome.ConnectionError, null);
            Console.Error.WriteLine($"soak: refresh of {email} failed: {ex.Message}");
        }
    }
}

/// <summary>
/// The soak's traffic, one table of weighted requests: reads as signed-in users (JWT), the agent runtime's writes with API
/// keys, agent edits, creations and deletions. Kinds are interleaved by smooth weighted round-robin, so every second carries
/// the same mix; tenants, users, agents and API instances rotate. Only the load's scheduler calls <see cref="Next"/>.
/// </summary>
internal sealed class SoakTraffic(IReadOnlyList<SoakTenant> tenants, IReadOnlyList<Uri> apis, string runId)
{
    private enum As { Member, Admin, ApiKey }

    private readonly Random _random = new(20261125);
    private readonly ConcurrentQueue<(SoakTenant Tenant, Guid Agent, long CreatedAt)> _created = new();
    private readonly double[] _current = new double[Table.Length];
    private long _sequence;

    // {agent}: one of the tenant's seeded agents; {old}: the oldest agent the soak created once it is 30 s old (the worker
    // may be provisioning it), else a seeded one.
    private static readonly (double Weight, HttpMethod Method, string Path, As As)[] Table =
    [
        (22, HttpMethod.Get, "/api/v1/agents?limit=50", As.Member),
        (5.5, HttpMethod.Get, "/api/v1/agents/{agent}", As.Member),
        (12, HttpMethod.Get, "/api/v1/agents/{agent}/activities?limit=50", As.Member),
        (8, HttpMethod.Get, "/api/v1/agents/{agent}/metrics", As.Member),
        (4, HttpMethod.Get, "/api/v1/metrics/summary", As.Member),
        (5, HttpMethod.Get, "/api/v1/audit-logs?limit=50", As.Admin),
        (6, HttpMethod.Get, "/api/v1/agents?limit=50", As.ApiKey),
        (20, HttpMethod.Post, "/api/v1/agents/{agent}/activities", As.ApiKey),
        (10, HttpMethod.Post, "/api/v1/agents/{agent}/metrics", As.ApiKey),
        (7, HttpMethod.Patch, "/api/v1/agents/{agent}", As.Member),
        (0.25, HttpMethod.Post, "/api/v1/agents", As.Member),
        (0.25, HttpMethod.Delete, "/api/v1/agents/{old}", As.Member),
    ];

    public PlannedRequest Next()
    {
        var chosen = 0;
        for (var i = 0; i < Table.Length; i++)
        {
            _current[i] += Table[i].Weight;
            chosen = _current[i] > _current[chosen] ? i : chosen;
        }

        _current[chosen] -= Table.Sum(e => e.Weight);
        var (_, method, path, by) = Table[chosen];
        var tenant = tenants[_random.Next(tenants.Count)];
        var sequence = ++_sequence;
        if (path.Contains("{old}", StringComparison.Ordinal))
        {
            var old = _created.TryPeek(out var o) && Stopwatch.GetElapsedTime(o.CreatedAt) >= TimeSpan.FromSeconds(30) && _created.TryDequeue(out o);
            (method, path, tenant) = old ? (method, path.Replace("{old}", o.Agent.ToString(), StringComparison.Ordinal), o.Tenant) : (HttpMethod.Get, "/api/v1/agents/{agent}", tenant);
        }

        var message = new HttpRequestMessage(method, new Uri(apis[(int)(sequence % apis.Count)], path.Replace("{agent}", tenant.Agents[_random.Next(tenant.Agents.Count)].ToString(), StringComparison.Ordinal)));
        if (by == As.ApiKey) message.Headers.Add("X-Api-Key", tenant.ApiKey);
        else message.Headers.Authorization = new("Bearer", tenant.Users[by == As.Admin ? 0 : 1 + _random.Next(tenant.Users.Length - 1)].AccessToken);

        var now = DateTimeOffset.UtcNow;
        message.Content = (method.Method, path.EndsWith("/activities", StringComparison.Ordinal), path.EndsWith("/metrics", StringComparison.Ordinal)) switch
        {
            ("POST", true, _) => JsonContent.Create(new { type = "message", summary = $"soak {runId} activity {sequence}", details = new { sequence } }),
            ("POST", _, true) => JsonContent.Create(new
            {
                periodStart = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero), periodMinutes = 1, tasksCompleted = (int)(sequence % 20),
                messages = (int)(sequence % 100), tokensIn = sequence % 50_000, tokensOut = sequence % 20_000, errors = (int)(sequence % 2), avgResponseMs = sequence % 2000, costUsd = 0.01m,
            }),
            ("POST", _, _) => JsonContent.Create(new { name = $"soak-{runId}-{sequence}", description = "created by the soak", role = "custom" }),
            ("PATCH", _, _) => JsonContent.Create(new { description = $"Bench agent, soak {runId} edit {sequence}" }),
            _ => null,
        };
        return new($"{method} {Table[chosen].Path}", message, (method.Method, path) switch
        {
            ("POST", "/api/v1/agents") => async response => _created.Enqueue((tenant, await IdOfAsync(response), Stopwatch.GetTimestamp())),
            ("POST", _) when path.EndsWith("/activities", StringComparison.Ordinal) => async response => tenant.Posted.TryAdd(await IdOfAsync(response), 0),
            _ => null,
        });
    }

    private static async Task<Guid> IdOfAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
}
