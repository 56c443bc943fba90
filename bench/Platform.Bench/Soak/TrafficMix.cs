using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.Bench.Soak;

/// <summary>A request ready to send, its kind (the report's row) and what to do with a 2xx answer.</summary>
internal sealed record PlannedRequest(string Kind, HttpRequestMessage Message, Func<HttpResponseMessage, Task>? OnSuccess = null);

/// <summary>One kind of request and its share of the fixed rate.</summary>
internal sealed record MixEntry(string Kind, double Weight, Func<PlannedRequest> Plan);

/// <summary>
/// The soak's traffic: reads of agents, activities, metrics and audit logs as signed-in users (JWT), writes
/// of activities and metrics with API keys (the agent runtime's calls), and agent edits, creations and
/// deletions as users. Kinds are interleaved by smooth weighted round-robin, so every second carries the
/// same mix; tenants, users, agents and API instances rotate. Single-threaded: only the scheduler calls
/// <see cref="Next"/>.
/// </summary>
internal sealed class TrafficMix
{
    private static readonly TimeSpan DeleteAfter = TimeSpan.FromSeconds(30);
    private readonly IReadOnlyList<SoakTenant> _tenants;
    private readonly IReadOnlyList<Uri> _apis;
    private readonly string _runId;
    private readonly Random _random = new(20261125);
    private readonly ConcurrentQueue<(SoakTenant Tenant, Guid Agent, long CreatedAt)> _created = new();
    private readonly MixEntry[] _entries;
    private readonly double[] _current;
    private readonly double _totalWeight;
    private long _sequence;
    private long _metricTurn;

    public TrafficMix(IReadOnlyList<SoakTenant> tenants, IReadOnlyList<Uri> apis, string runId)
    {
        _tenants = tenants;
        _apis = apis;
        _runId = runId;
        _entries =
        [
            new("GET /agents", 22, () => Get("GET /agents", Member(out _), "/api/v1/agents?limit=50")),
            new("GET /agents/{id}", 5.5, () => Get("GET /agents/{id}", Member(out var t), $"/api/v1/agents/{Agent(t)}")),
            new("GET /agents/{id}/activities", 12, () => Get("GET /agents/{id}/activities", Member(out var t), $"/api/v1/agents/{Agent(t)}/activities?limit=50")),
            new("GET /agents/{id}/metrics", 8, () => Get("GET /agents/{id}/metrics", Member(out var t), $"/api/v1/agents/{Agent(t)}/metrics")),
            new("GET /metrics/summary", 4, () => Get("GET /metrics/summary", Member(out _), "/api/v1/metrics/summary")),
            new("GET /audit-logs", 5, () => Get("GET /audit-logs", Tenant().Admin, "/api/v1/audit-logs?limit=50")),
            new("GET /agents (API key)", 6, AgentsByKey),
            new("POST /agents/{id}/activities (API key)", 20, PostActivity),
            new("POST /agents/{id}/metrics (API key)", 10, PostMetric),
            new("PATCH /agents/{id}", 7, PatchAgent),
            new("POST /agents", 0.25, CreateAgent),
            new("DELETE /agents/{id}", 0.25, DeleteAgent),
        ];
        _current = new double[_entries.Length];
        _totalWeight = _entries.Sum(e => e.Weight);
    }

    public IReadOnlyList<MixEntry> Entries => _entries;

    /// <summary>Agents the soak created and has not deleted yet.</summary>
    public int AgentsAlive => _created.Count;

    public PlannedRequest Next()
    {
        var chosen = 0;
        for (var i = 0; i < _entries.Length; i++)
        {
            _current[i] += _entries[i].Weight;
            if (_current[i] > _current[chosen])
            {
                chosen = i;
            }
        }

        _current[chosen] -= _totalWeight;
        _sequence++;
        return _entries[chosen].Plan();
    }

    private Uri Api() => _apis[(int)(_sequence % _apis.Count)];

    private SoakTenant Tenant() => _tenants[_random.Next(_tenants.Count)];

    private UserSession Member(out SoakTenant tenant)
    {
        tenant = Tenant();
        return tenant.Members[_random.Next(tenant.Members.Count)];
    }

    private Guid Agent(SoakTenant tenant) => tenant.Agents[_random.Next(tenant.Agents.Count)];

    private HttpRequestMessage Message(HttpMethod method, string path, UserSession? user, string? apiKey = null, object? body = null)
    {
        var message = new HttpRequestMessage(method, new Uri(Api(), path));
        if (user is not null)
        {
            message.Headers.Authorization = new("Bearer", user.AccessToken);
        }

        if (apiKey is not null)
        {
            message.Headers.Add("X-Api-Key", apiKey);
        }

        if (body is not null)
        {
            message.Content = JsonContent.Create(body);
        }

        return message;
    }

    private PlannedRequest Get(string kind, UserSession user, string path) => new(kind, Message(HttpMethod.Get, path, user));

    private PlannedRequest AgentsByKey() => new("GET /agents (API key)", Message(HttpMethod.Get, "/api/v1/agents?limit=50", null, Tenant().ApiKey));

    private PlannedRequest PostActivity()
    {
        var tenant = Tenant();
        var body = new { type = "message", summary = $"soak {_runId} activity {_sequence}", details = new { sequence = _sequence } };
        return new("POST /agents/{id}/activities (API key)", Message(HttpMethod.Post, $"/api/v1/agents/{Agent(tenant)}/activities", null, tenant.ApiKey, body),
            async response =>
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                tenant.CountPosted(json.RootElement.GetProperty("id").GetGuid());
            });
    }

    /// <summary>Agents take turns (as each runtime reports its own metrics, one report at a time); a turn comes every few tens of seconds.</summary>
    private PlannedRequest PostMetric()
    {
        var turn = (int)(_metricTurn++ % (_tenants.Count * _tenants[0].Agents.Count));
        var tenant = _tenants[turn % _tenants.Count];
        var agent = tenant.Agents[turn / _tenants.Count % tenant.Agents.Count];
        var now = DateTimeOffset.UtcNow;
        var body = new
        {
            periodStart = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero),
            periodMinutes = 1,
            tasksCompleted = _random.Next(0, 20),
            messages = _random.Next(0, 100),
            tokensIn = _random.Next(0, 50_000),
            tokensOut = _random.Next(0, 20_000),
            errors = _random.Next(0, 2),
            avgResponseMs = Math.Round(_random.NextDouble() * 2000, 1),
            costUsd = Math.Round((decimal)_random.NextDouble(), 4),
        };
        return new("POST /agents/{id}/metrics (API key)", Message(HttpMethod.Post, $"/api/v1/agents/{agent}/metrics", null, tenant.ApiKey, body));
    }

    private PlannedRequest PatchAgent()
    {
        var user = Member(out var tenant);
        var body = new { description = $"Bench agent, soak {_runId} edit {_sequence.ToString(CultureInfo.InvariantCulture)}" };
        return new("PATCH /agents/{id}", Message(HttpMethod.Patch, $"/api/v1/agents/{Agent(tenant)}", user, body: body));
    }

    private PlannedRequest CreateAgent()
    {
        var user = Member(out var tenant);
        var body = new { name = $"soak-{_runId}-{_sequence}", description = "created by the soak", role = "custom" };
        return new("POST /agents", Message(HttpMethod.Post, "/api/v1/agents", user, body: body), async response =>
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            _created.Enqueue((tenant, json.RootElement.GetProperty("id").GetGuid(), Stopwatch.GetTimestamp()));
        });
    }

    /// <summary>Deletes the oldest agent the soak created once it is 30 s old (the worker may be provisioning it); a read of an agent until then.</summary>
    private PlannedRequest DeleteAgent()
    {
        if (_created.TryPeek(out var oldest) && Stopwatch.GetElapsedTime(oldest.CreatedAt) >= DeleteAfter && _created.TryDequeue(out var agent))
        {
            var user = agent.Tenant.Members[_random.Next(agent.Tenant.Members.Count)];
            return new("DELETE /agents/{id}", Message(HttpMethod.Delete, $"/api/v1/agents/{agent.Agent}", user));
        }

        var member = Member(out var tenant);
        return Get("GET /agents/{id}", member, $"/api/v1/agents/{Agent(tenant)}");
    }
}
