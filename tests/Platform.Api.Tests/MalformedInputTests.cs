using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Npgsql;
using Platform.Tests.Support;

namespace Platform.Api.Tests;

/// <summary>
/// Every error is a problem: over a thousand generated malformed requests (<see cref="MalformedRequests"/>) over every
/// endpoint group get no 5xx, every 4xx is application/problem+json with a code (but for the listed Kestrel cases), and
/// not one row of any table changes. The test has a database and an API of its own (on the shared PostgreSQL server and
/// Redis): only then can "nothing changed" cover every table, rows a request could have created in another tenant or
/// globally included, while other tests write to the shared database in parallel.
/// </summary>
public sealed class MalformedInputTests(ApiFixture fixture)
{
    private const int Concurrency = 8;

    private static readonly string[] Groups =
    [
        "auth", "tenants", "team", "invites", "api-keys", "agents", "channels", "activities", "metrics", "skills",
        "skill installations", "health", "alerts", "audit", "platform",
    ];

    [Fact]
    public async Task Over_a_thousand_malformed_requests_get_a_problem_never_a_5xx_and_change_no_row()
    {
        var database = await PlatformDatabase.CreateAsync(fixture.Database.Server);
        await using var api = new ApiInstance(database.AppConnectionString, fixture.Redis.ConnectionString);
        var world = await BuildWorldAsync(api);
        var cases = MalformedRequests.All(world);
        Assert.True(cases.Count >= 1000, $"only {cases.Count} cases");
        Assert.Subset(cases.Select(c => c.Group).ToHashSet(), Groups.ToHashSet());

        var before = await SnapshotAsync(database);
        var results = new ConcurrentBag<(MalformedCase Case, RawResponse Response)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = Http.Ct }, async (c, ct) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            results.Add((c, await RawHttp.SendAsync(api.Port, c.Request, timeout.Token)));
        });
        var elapsed = clock.Elapsed;
        var after = await SnapshotAsync(database);

        Report(results, elapsed);
        var failures = results.Select(r => Check(r.Case, r.Response)).OfType<string>().Order(StringComparer.Ordinal).ToList();
        foreach (var failure in failures)
        {
            TestContext.Current.TestOutputHelper?.WriteLine("FAIL " + failure);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n{string.Join('\n', failures.Take(40))}");
        Assert.Equal(before, after);
    }

    /// <summary>Why the answer is wrong for the case, or null when it is right.</summary>
    private static string? Check(MalformedCase c, RawResponse r)
    {
        string Fail(string why) => $"{c}: {why}; got {r.Status} {r.MediaType} {(r.Text.Length > 300 ? r.Text[..300] : r.Text)}";
        if (c.Expect == Expect.Kestrel)
        {
            return r.Status == c.Status && r.Body.Length == 0 ? null : Fail($"expected Kestrel's own empty {c.Status}");
        }

        if (r.Status >= 500)
        {
            return Fail("a server error");
        }

        if (c.Status is { } status && r.Status != status)
        {
            return Fail($"expected {status}");
        }

        if (r.Status < 400)
        {
            return c.Expect == Expect.NoServerError ? null : Fail("expected a refusal");
        }

        if (r.MediaType != "application/problem+json")
        {
            return Fail("a 4xx that is not a problem");
        }

        var problem = JsonDocument.Parse(r.Body).RootElement;
        if (!problem.TryGetProperty("code", out var code) || string.IsNullOrEmpty(code.GetString()))
        {
            return Fail("a problem without a code");
        }

        if (c.Expect == Expect.TextRefused && (r.Status != 400 || code.GetString() != "validation_failed"))
        {
            return Fail("expected 400 validation_failed");
        }

        return c.Field is { } field && r.Status == 400 && !NamesField(problem, field) ? Fail($"errors do not name {field}") : null;
    }

    private static bool NamesField(JsonElement problem, string field) =>
        problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
        && errors.EnumerateObject().Select(e => e.Name).Any(name =>
            string.Equals(name, field, StringComparison.OrdinalIgnoreCase)
            || field.StartsWith(name + ".", StringComparison.OrdinalIgnoreCase) || field.StartsWith(name + "[", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith(field + ".", StringComparison.OrdinalIgnoreCase) || name.StartsWith(field + "[", StringComparison.OrdinalIgnoreCase));

    private static void Report(IEnumerable<(MalformedCase Case, RawResponse Response)> results, TimeSpan elapsed)
    {
        var output = TestContext.Current.TestOutputHelper;
        var all = results.ToList();
        output?.WriteLine($"{all.Count} malformed requests in {elapsed.TotalSeconds:F1} s ({Concurrency} at a time); statuses: " +
            string.Join(", ", all.GroupBy(r => r.Response.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} x {g.Count()}")));
        foreach (var group in all.GroupBy(r => r.Case.Group).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output?.WriteLine($"  {group.Key}: {group.Count()} ({string.Join(", ", group.GroupBy(r => r.Response.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} x {g.Count()}"))})");
        }
    }

    /// <summary>Row count and content hash of every table, seen by the owner (no row-level security).</summary>
    private static async Task<string> SnapshotAsync(PlatformDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("""
            SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync(Http.Ct))
        {
            while (await reader.ReadAsync(Http.Ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        var lines = new List<string>();
        foreach (var table in tables)
        {
            // last_used_at of API keys is written by a background flush of key use, not by any request's outcome.
            await using var command = new NpgsqlCommand(
                $"SELECT count(*) || ' rows ' || coalesce(md5(string_agg((to_jsonb(t) - 'last_used_at')::text, '|' ORDER BY (to_jsonb(t) - 'last_used_at')::text)), '') FROM {table} t",
                connection);
            lines.Add($"{table}: {await command.ExecuteScalarAsync(Http.Ct)}");
        }

        return string.Join('\n', lines);
    }

    private static async Task<MalformedWorld> BuildWorldAsync(ApiInstance api)
    {
        var email = Scenario.NewEmail("malformed");
        var signup = await api.Client().PostAsync("/api/v1/auth/signup",
            new { companyName = "Malformed " + Guid.NewGuid().ToString("N")[..8], name = "Ada Admin", email, password = Scenario.Password }).ExpectAsync(HttpStatusCode.Created);
        var (adminToken, tenantId) = (signup.Str("accessToken"), signup.GetProperty("user").Id("tenantId"));
        var options = PlatformDatabase.Options;
        var platformToken = (await api.Client().PostAsync("/api/v1/auth/login", new { email = options.PlatformAdminEmail, password = options.PlatformAdminPassword })
            .ExpectAsync(HttpStatusCode.OK)).Str("accessToken");
        var asPlatform = api.Client(platformToken);
        var asAdmin = api.Client(adminToken);

        // Well over a thousand requests of one tenant within a minute.
        await asPlatform.PatchAsync($"/api/v1/tenants/{tenantId}", new { plan = "enterprise", resourceLimits = new { requestsPerMinute = 1_000_000 } })
            .ExpectAsync(HttpStatusCode.OK);
        var memberInvite = await asAdmin.PostAsync("/api/v1/team/invites", new { email = Scenario.NewEmail("member"), role = "tenant_member" }).ExpectAsync(HttpStatusCode.Created);
        var member = await api.Client().PostAsync("/api/v1/invites/accept", new { token = memberInvite.Str("token"), name = "Max Member", password = Scenario.Password })
            .ExpectAsync(HttpStatusCode.Created);
        var pending = await asAdmin.PostAsync("/api/v1/team/invites", new { email = Scenario.NewEmail("invitee"), role = "tenant_member" }).ExpectAsync(HttpStatusCode.Created);
        var key = await asAdmin.PostAsync("/api/v1/api-keys", new { name = "runtime", scopes = new[] { "agents:read", "activities:write", "metrics:write" } })
            .ExpectAsync(HttpStatusCode.Created);
        var agent = (await asAdmin.PostAsync("/api/v1/agents", new { name = "Target", role = "pm" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var channel = (await asAdmin.PostAsync($"/api/v1/agents/{agent}/channels", new { type = "slack", name = "#ops" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var draft = await asPlatform.PostAsync("/api/v1/skills", new
        {
            slug = "malformed-draft", name = "Malformed Draft", description = "Only for refused edits.", category = "productivity", version = "1.0.0",
            compatibleRoles = new[] { "pm" },
        }).ExpectAsync(HttpStatusCode.Created);
        var published = await DomainIsolationCases.SkillIdAsync(asAdmin, "meeting-notes");
        return new MalformedWorld(tenantId, member.GetProperty("user").Id(), email, adminToken, signup.Str("refreshToken"), platformToken, key.Str("key"),
            pending.Str("token"), agent, channel, draft.Id(), published);
    }
}
