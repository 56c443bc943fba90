using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Platform.Tests.Support;

namespace Platform.Api.Tests;

/// <summary>
/// The API while its database is away: unreachable from the start, and restarted (fast shutdown, then start) under
/// audited writes from several clients. Each test has its own PostgreSQL, Redis and API: stopping the shared server
/// would fail every test running beside it.
/// </summary>
public sealed class DatabaseRestartTests
{
    private const int Writers = 4;
    private static readonly TimeSpan Downtime = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(60);

    private enum Kind
    {
        Create,
        Patch,
        Activity,
        Read,
    }

    private sealed record Outcome(int Writer, Kind Kind, int Status, string? Code, string? RetryAfter, Guid? Id, string? Value, TimeSpan Started);

    [Fact]
    public async Task During_a_restart_requests_get_503_with_Retry_After_and_every_acknowledged_write_is_stored_with_one_audit_row()
    {
        await using var postgres = await LocalPostgres.StartAsync();
        await using var redis = await LocalRedis.StartAsync();
        var database = await PlatformDatabase.CreateAsync(postgres, "platform");
        await using var api = new ApiInstance(database.AppConnectionString, redis.ConnectionString,
            new Dictionary<string, string?>
            {
                // Hundreds of refused requests and the commands the shutdown cut off are expected here.
                ["Logging:LogLevel:Default"] = "Critical",
                ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Critical",
            });
        var (admin, key, agents) = await PrepareAsync(api);

        var clock = Stopwatch.StartNew();
        var outcomes = new ConcurrentQueue<Outcome>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Http.Ct);
        var writers = Enumerable.Range(0, Writers).Select(i => WriteAsync(api, admin, key, agents[i], i, outcomes, clock, stop.Token)).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(1), Http.Ct);
        var stopping = clock.Elapsed;
        await postgres.StopAsync();
        var stopped = clock.Elapsed;
        await Task.Delay(Downtime, Http.Ct);
        await postgres.StartAgainAsync();
        var ready = clock.Elapsed;
        var recovered = await WaitAsync(() => Enumerable.Range(0, Writers).All(w =>
            outcomes.Count(o => o.Writer == w && o.Started > ready && o.Status is 200 or 201) >= 6), RecoveryBound);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var all = outcomes.ToList();
        var unavailable = all.Where(o => o.Status == 503).ToList();
        Report(all, stopping, stopped, ready);
        Assert.All(all, o => Assert.True(o.Status is 200 or 201 or 503, $"{o.Kind} at {o.Started.TotalSeconds:F2} s answered {o.Status} {o.Code}"));
        Assert.NotEmpty(unavailable);
        Assert.All(unavailable, o =>
        {
            Assert.Equal("service_unavailable", o.Code);
            Assert.True(int.TryParse(o.RetryAfter, out var seconds) && seconds >= 1, $"Retry-After {o.RetryAfter}");
        });
        Assert.True(recovered, "writes did not succeed again after the restart");
        await AssertAcknowledgedWritesStoredOnceAsync(database, all);
    }

    [Fact]
    public async Task A_database_that_refuses_connections_gives_503_service_unavailable_and_an_unhealthy_health_endpoint()
    {
        await using var redis = await LocalRedis.StartAsync();
        var nobodyListens = ServerProcess.FreeTcpPort();
        await using var api = new ApiInstance($"Host=127.0.0.1;Port={nobodyListens};Database=platform;Username=platform_app;Password=unused",
            redis.ConnectionString, new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Critical" });

        using var login = await api.Client().PostAsync("/api/v1/auth/login", new { email = Scenario.NewEmail(), password = Scenario.Password });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), login.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", login.Content.Headers.ContentType?.MediaType);
        Assert.Equal("service_unavailable", (await login.JsonAsync()).Str("code"));

        // The API cannot serve without its database, so its health says so.
        using var health = await api.Client().GetAsync("/health", Http.Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }

    /// <summary>Every write answered 2xx is in the database with exactly one audit row; an activity's row count equals its audit rows.</summary>
    private static async Task AssertAcknowledgedWritesStoredOnceAsync(PlatformDatabase database, List<Outcome> all)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        var agents = (await ReadAsync(connection, "SELECT id::text FROM agents")).Select(r => r[0]).ToHashSet();
        var activities = (await ReadAsync(connection, "SELECT id::text, agent_id::text FROM agent_activities")).ToDictionary(r => r[0], r => r[1]);
        var audit = await ReadAsync(connection, "SELECT action, target_id::text, coalesce(details->'changed'->>'description', '') FROM audit_logs");
        var acknowledged = all.Where(o => o.Status is 200 or 201).ToList();

        foreach (var create in acknowledged.Where(o => o.Kind == Kind.Create))
        {
            Assert.Contains(create.Id!.Value.ToString(), agents);
            Assert.Single(audit, a => a[0] == "agent.created" && a[1] == create.Id.Value.ToString());
        }

        foreach (var patch in acknowledged.Where(o => o.Kind == Kind.Patch))
        {
            Assert.Single(audit, a => a[0] == "agent.updated" && a[1] == patch.Id!.Value.ToString() && a[2] == patch.Value);
        }

        foreach (var activity in acknowledged.Where(o => o.Kind == Kind.Activity))
        {
            Assert.Contains(activity.Value!, activities.Keys);
        }

        foreach (var agent in activities.Values.Distinct())
        {
            Assert.Equal(activities.Values.Count(a => a == agent), audit.Count(a => a[0] == "agent.activity_posted" && a[1] == agent));
        }

        // Allowed, and reported: a 503 whose COMMIT reached the server before the connection broke (its outcome was unknown).
        var names = (await ReadAsync(connection, "SELECT name FROM agents UNION ALL SELECT summary FROM agent_activities")).Select(r => r[0]).ToHashSet();
        var committedAnyway = all.Count(o => o.Status == 503 && o.Kind != Kind.Read
            && (o.Kind == Kind.Patch ? audit.Any(a => a[2] == o.Value) : names.Contains(o.Value!)));
        TestContext.Current.TestOutputHelper?.WriteLine($"{acknowledged.Count} acknowledged writes and reads checked; 503 answers whose write committed anyway: {committedAnyway}");
    }

    private static async Task WriteAsync(ApiInstance api, string admin, string key, Guid agent, int writer, ConcurrentQueue<Outcome> outcomes,
        Stopwatch clock, CancellationToken stop)
    {
        using var asAdmin = api.Client(admin);
        using var asKey = api.Client(apiKey: key);
        asAdmin.Timeout = asKey.Timeout = TimeSpan.FromSeconds(30);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var kind = (Kind)(n % 4);
            var value = $"w{writer}-{n}-{Guid.NewGuid():N}";
            var started = clock.Elapsed;
            try
            {
                using var response = kind switch
                {
                    Kind.Create => await asAdmin.PostAsJsonAsync("/api/v1/agents", new { name = value }, Http.Json, CancellationToken.None),
                    Kind.Patch => await asAdmin.PatchAsJsonAsync($"/api/v1/agents/{agent}", new { description = value }, Http.Json, CancellationToken.None),
                    Kind.Activity => await asKey.PostAsJsonAsync($"/api/v1/agents/{agent}/activities", new { type = "message", summary = value }, Http.Json, CancellationToken.None),
                    _ => await asAdmin.GetAsync("/api/v1/agents?limit=5", CancellationToken.None),
                };
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                var json = body.Length > 0 && body[0] == '{' ? JsonDocument.Parse(body).RootElement : default;
                var code = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("code", out var c) ? c.GetString() : null;
                var id = kind == Kind.Create && response.IsSuccessStatusCode ? json.Id() : kind == Kind.Patch ? agent : (Guid?)null;
                var stored = kind == Kind.Activity && response.IsSuccessStatusCode ? json.Str("id") : value;
                outcomes.Enqueue(new Outcome(writer, kind, (int)response.StatusCode, code, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), id, stored, started));
            }
            catch (HttpRequestException ex)
            {
                outcomes.Enqueue(new Outcome(writer, kind, 0, ex.Message, null, null, null, started));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        }
    }

    private static async Task<(string Admin, string Key, Guid[] Agents)> PrepareAsync(ApiInstance api)
    {
        var signup = await api.Client().PostAsync("/api/v1/auth/signup",
            new { companyName = "Restart Co", name = "Ada Admin", email = Scenario.NewEmail("restart"), password = Scenario.Password }).ExpectAsync(HttpStatusCode.Created);
        var admin = signup.Str("accessToken");
        var options = PlatformDatabase.Options;
        var platform = (await api.Client().PostAsync("/api/v1/auth/login", new { email = options.PlatformAdminEmail, password = options.PlatformAdminPassword })
            .ExpectAsync(HttpStatusCode.OK)).Str("accessToken");
        await api.Client(platform).PatchAsync($"/api/v1/tenants/{signup.GetProperty("user").Id("tenantId")}",
            new { plan = "enterprise", resourceLimits = new { requestsPerMinute = 1_000_000 } }).ExpectAsync(HttpStatusCode.OK);
        var key = (await api.Client(admin).PostAsync("/api/v1/api-keys", new { name = "runtime", scopes = new[] { "activities:write" } })
            .ExpectAsync(HttpStatusCode.Created)).Str("key");
        var agents = new Guid[Writers];
        for (var i = 0; i < Writers; i++)
        {
            agents[i] = (await api.Client(admin).PostAsync("/api/v1/agents", new { name = $"Writer {i}" }).ExpectAsync(HttpStatusCode.Created)).Id();
        }

        return (admin, key, agents);
    }

    private static void Report(List<Outcome> all, TimeSpan stopping, TimeSpan stopped, TimeSpan ready)
    {
        var output = TestContext.Current.TestOutputHelper;
        var unavailable = all.Where(o => o.Status == 503).ToList();
        output?.WriteLine($"{all.Count} requests; statuses: {string.Join(", ", all.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} x {g.Count()}"))}");
        output?.WriteLine($"fast shutdown {stopping.TotalSeconds:F2}-{stopped.TotalSeconds:F2} s, started again and ready at {ready.TotalSeconds:F2} s " +
            $"(unreachable for {(ready - stopping).TotalSeconds:F1} s)");
        if (unavailable.Count > 0)
        {
            output?.WriteLine($"503 from {unavailable.Min(o => o.Started).TotalSeconds:F2} s to {unavailable.Max(o => o.Started).TotalSeconds:F2} s; " +
                $"Retry-After values: {string.Join(", ", unavailable.Select(o => o.RetryAfter).Distinct())}; " +
                $"by kind: {string.Join(", ", unavailable.GroupBy(o => o.Kind).Select(g => $"{g.Key} x {g.Count()}"))}");
        }
    }

    private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100, Http.Ct);
        }

        return true;
    }

    private static async Task<List<string[]>> ReadAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Http.Ct);
        var rows = new List<string[]>();
        while (await reader.ReadAsync(Http.Ct))
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : reader.GetString(i))]);
        }

        return rows;
    }
}
