namespace Platform.Bench;

/// <summary>
/// The soak's traffic: reads of agents, activities, metrics and audit logs as signed-in users (JWT), writes of activities and
/// metrics with API keys (the agent runtime's calls), and agent edits, creations and deletions as users. Kinds are interleaved
/// by smooth weighted round-robin, so every second carries the same mix; tenants, users, agents and API instances rotate.
/// Only the load's scheduler calls <see cref="Next"/>.
/// </summary>
internal sealed class TrafficMix
{
    private readonly IReadOnlyList<SoakTenant> _tenants;
    private readonly IReadOnlyList<Uri> _apis;
    private readonly string _runId;
    private readonly Random _random = new(20261125);
    private readonly ConcurrentQueue<(SoakTenant Tenant, Guid Agent, long CreatedAt)> _created = new();
    private readonly (string Kind, double Weight, Func<PlannedRequest> Plan)[] _entries;
    private readonly double[] _current;
    private long _sequence;
    private long _metricTurn;

    public TrafficMix(IReadOnlyList<SoakTenant> tenants, IReadOnlyList<Uri> apis, string runId)
    {
        (_tenants, _apis, _runId) = (tenants, apis, runId);
        _entries =
        [
            ("GET /agents", 22, () => Send("GET /agents", HttpMethod.Get, "/api/v1/agents?limit=50", Member(out _))),
            ("GET /agents/{id}", 5.5, () => Send("GET /agents/{id}", HttpMethod.Get, $"/api/v1/agents/{Agent(out var user)}", user)),
            ("GET /agents/{id}/activities", 12, () => Send("GET /agents/{id}/activities", HttpMethod.Get, $"/api/v1/agents/{Agent(out var user)}/activities?limit=50", user)),
            ("GET /agents/{id}/metrics", 8, () => Send("GET /agents/{id}/metrics", HttpMethod.Get, $"/api/v1/agents/{Agent(out var user)}/metrics", user)),
            ("GET /metrics/summary", 4, () => Send("GET /metrics/summary", HttpMethod.Get, "/api/v1/metrics/summary", Member(out _))),
            ("GET /audit-logs", 5, () => Send("GET /audit-logs", HttpMethod.Get, "/api/v1/audit-logs?limit=50", Tenant().Admin)),
            ("GET /agents (API key)", 6, () => Send("GET /agents (API key)", HttpMethod.Get, "/api/v1/agents?limit=50", null, Tenant().ApiKey)),
            ("POST /agents/{id}/activities (API key)", 20, PostActivity),
            ("POST /agents/{id}/metrics (API key)", 10, PostMetric),
            ("PATCH /agents/{id}", 7, () => Send("PATCH /agents/{id}", HttpMethod.Patch, $"/api/v1/agents/{Agent(out var user)}", user,
                body: new { description = $"Bench agent, soak {_runId} edit {_sequence}" })),
            ("POST /agents", 0.25, CreateAgent),
            ("DELETE /agents/{id}", 0.25, DeleteAgent),
        ];
        _current = new double[_entries.Length];
    }

    public PlannedRequest Next()
    {
        var chosen = 0;
        for (var i = 0; i < _entries.Length; i++)
        {
            _current[i] += _entries[i].Weight;
            chosen = _current[i] > _current[chosen] ? i : chosen;
        }

        _current[chosen] -= _entries.Sum(e => e.Weight);
        _sequence++;
        return _entries[chosen].Plan();
    }

    private SoakTenant Tenant() => _tenants[_random.Next(_tenants.Count)];

    private UserSession Member(out SoakTenant tenant)
    {
        tenant = Tenant();
        return tenant.Members[_random.Next(tenant.Members.Count)];
    }

    private Guid Agent(out UserSession user)
    {
        user = Member(out var tenant);
        return tenant.Agents[_random.Next(tenant.Agents.Count)];
    }

    private PlannedRequest Send(string kind, HttpMethod method, string path, UserSession? user, string? apiKey = null, object? body = null, Func<HttpResponseMessage, Task>? onSuccess = null)
    {
        var message = new HttpRequestMessage(method, new Uri(_apis[(int)(_sequence % _apis.Count)], path));
        if (user is not null) message.Headers.Authorization = new("Bearer", user.AccessToken);

        if (apiKey is not null) message.Headers.Add("X-Api-Key", apiKey);

        message.Content = body is null ? null : JsonContent.Create(body);
        return new(kind, message, onSuccess);
    }

    private PlannedRequest PostActivity()
    {
        var tenant = Tenant();
        var body = new { type = "message", summary = $"soak {_runId} activity {_sequence}", details = new { sequence = _sequence } };
        return Send("POST /agents/{id}/activities (API key)", HttpMethod.Post, $"/api/v1/agents/{tenant.Agents[_random.Next(tenant.Agents.Count)]}/activities",
            null, tenant.ApiKey, body, async response => tenant.CountPosted(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid()));
    }

    /// <summary>Agents take turns (each runtime reports its own metrics, one report a minute at most).</summary>
    private PlannedRequest PostMetric()
    {
        var turn = (int)(_metricTurn++ % (_tenants.Count * _tenants[0].Agents.Count));
        var tenant = _tenants[turn % _tenants.Count];
        var now = DateTimeOffset.UtcNow;
        var body = new
        {
            periodStart = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero), periodMinutes = 1, tasksCompleted = _random.Next(0, 20),
            messages = _random.Next(0, 100), tokensIn = _random.Next(0, 50_000), tokensOut = _random.Next(0, 20_000), errors = _random.Next(0, 2),
            avgResponseMs = Math.Round(_random.NextDouble() * 2000, 1), costUsd = Math.Round((decimal)_random.NextDouble(), 4),
        };
        return Send("POST /agents/{id}/metrics (API key)", HttpMethod.Post, $"/api/v1/agents/{tenant.Agents[turn / _tenants.Count % tenant.Agents.Count]}/metrics",
            null, tenant.ApiKey, body);
    }

    private PlannedRequest CreateAgent()
    {
        var user = Member(out var tenant);
        return Send("POST /agents", HttpMethod.Post, "/api/v1/agents", user, body: new { name = $"soak-{_runId}-{_sequence}", description = "created by the soak", role = "custom" },
            onSuccess: async response => _created.Enqueue((tenant, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid(),
                Stopwatch.GetTimestamp())));
    }

    /// <summary>Deletes the oldest agent the soak created once it is 30 s old (the worker may be provisioning it); a read until then.</summary>
    private PlannedRequest DeleteAgent()
    {
        if (_created.TryPeek(out var oldest) && Stopwatch.GetElapsedTime(oldest.CreatedAt) >= TimeSpan.FromSeconds(30) && _created.TryDequeue(out var agent))
        {
            return Send("DELETE /agents/{id}", HttpMethod.Delete, $"/api/v1/agents/{agent.Agent}", agent.Tenant.Members[_random.Next(agent.Tenant.Members.Count)]);
        }

        return Send("GET /agents/{id}", HttpMethod.Get, $"/api/v1/agents/{Agent(out var user)}", user);
    }
}
