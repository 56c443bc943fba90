using System.Net;
using Npgsql;

namespace Platform.Api.Tests;

/// <summary>
/// "Every successful mutation writes one audit row in the same transaction", walked over the API's own list of operations:
/// every POST, PUT, PATCH and DELETE in the OpenAPI document needs a scenario in <see cref="AuditScenarios"/> (or a reasoned
/// exemption there), so a new mutating endpoint fails here until it writes its row and gets a scenario.
/// </summary>
public sealed class AuditCoverageTests(ApiFixture fixture)
{
    private static readonly string[] MutatingMethods = ["post", "put", "patch", "delete"];

    public static TheoryData<string> Operations => [.. AuditScenarios.All.Keys.Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Every_mutating_operation_has_an_audit_scenario_or_an_exemption()
    {
        var document = await fixture.Api.Client().GetAsync("/openapi/v1.json", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(method => MutatingMethods.Contains(method.Name))
                .Select(method => $"{method.Name.ToUpperInvariant()} {path.Name}"))
            .ToHashSet(StringComparer.Ordinal);

        var missing = operations.Where(o => !AuditScenarios.All.ContainsKey(o) && !AuditScenarios.Exempt.ContainsKey(o)).Order().ToList();
        Assert.True(missing.Count == 0, "Mutating operations without an audit scenario: " + string.Join(", ", missing));
        var stale = AuditScenarios.All.Keys.Concat(AuditScenarios.Exempt.Keys).Where(o => !operations.Contains(o)).Order().ToList();
        Assert.True(stale.Count == 0, "Scenarios for operations the API no longer has: " + string.Join(", ", stale));
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task A_successful_mutation_writes_exactly_one_audit_row(string operation)
    {
        var scenario = AuditScenarios.All[operation];
        var world = new AuditWorld(fixture);
        var call = await scenario.PrepareAsync(world);

        var before = DateTimeOffset.UtcNow;
        var ids = await call();
        var rows = await RowsSinceAsync(before, ids);

        Assert.True(rows.Count == 1, $"{operation}: expected one audit row, got {rows.Count}: {string.Join(" | ", rows)}");
        Assert.StartsWith(scenario.Action + "\t", rows[0], StringComparison.Ordinal);
    }

    /// <summary>The rows written since <paramref name="since"/> of the given tenants, or about the given targets.</summary>
    private async Task<List<string>> RowsSinceAsync(DateTimeOffset since, Guid[] ids)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand("""
            SELECT concat_ws(E'\t', action, actor_type, coalesce(actor_id::text, ''), coalesce(target_type::text, ''), coalesce(target_id::text, ''),
                             coalesce(tenant_id::text, ''), severity, coalesce(details::text, ''))
            FROM audit_logs
            WHERE created_at >= @since AND (tenant_id = ANY(@ids) OR target_id = ANY(@ids))
            ORDER BY created_at, id
            """, connection);
        command.Parameters.AddWithValue("since", since);
        command.Parameters.AddWithValue("ids", ids);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Http.Ct);
        while (await reader.ReadAsync(Http.Ct))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}

/// <summary>
/// How to perform one mutating operation successfully: <see cref="PrepareAsync"/> builds what it needs (a fresh tenant and
/// whatever it acts on) and returns the call, which runs the request once, asserts its success and returns the tenants and
/// targets whose audit rows count.
/// </summary>
public sealed record AuditScenario(string Action, Func<AuditWorld, Task<Func<Task<Guid[]>>>> PrepareAsync);

/// <summary>The fixture and helpers a scenario builds its world with.</summary>
public sealed class AuditWorld(ApiFixture fixture)
{
    public ApiFixture Fixture => fixture;

    public Scenario Scenario { get; } = new(fixture);

    public HttpClient Client(string? accessToken = null, string? apiKey = null) => fixture.Api.Client(accessToken, apiKey);

    public async Task<(Session Admin, HttpClient Client)> TenantAsync()
    {
        var admin = await Scenario.SignUpAsync();
        return (admin, Client(admin.AccessToken));
    }

    public async Task<Guid> AgentAsync(Session admin, string status = "provisioning")
    {
        var agent = await Client(admin.AccessToken).PostAsync("/api/v1/agents", new { name = "Audited " + Guid.NewGuid().ToString("N")[..6], role = "custom" })
            .ExpectAsync(HttpStatusCode.Created);
        if (status != "provisioning")
        {
            await ExecuteAsync("UPDATE agents SET status = @s::agent_status WHERE id = @a", ("s", status), ("a", agent.Id()));
        }

        return agent.Id();
    }

    /// <summary>A skill of the catalogue, compatible with custom agents; published unless asked for a draft.</summary>
    public async Task<Guid> SkillAsync(bool publish = true)
    {
        var platform = Client((await Scenario.PlatformAdminAsync()).AccessToken);
        var skill = (await platform.PostAsync("/api/v1/skills", SkillBody()).ExpectAsync(HttpStatusCode.Created)).Id();
        if (publish)
        {
            await platform.PostAsync($"/api/v1/skills/{skill}/publish", null).ExpectAsync(HttpStatusCode.OK);
        }

        return skill;
    }

    public static object SkillBody() => new
    {
        slug = "audited-" + Guid.NewGuid().ToString("N")[..12], name = "Audited Skill", description = "Only for the audit walk.",
        category = "productivity", version = "1.0.0", compatibleRoles = new[] { "custom" },
    };

    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(Http.Ct);
    }
}
