using System.Net;
using Npgsql;
using Platform.Tests.Support;

namespace Platform.Api.Tests;

/// <summary>With <c>platformdb-read</c> set, the heavy reads go to it; everything else stays on the primary.</summary>
public sealed class ReadReplicaTests(ApiFixture fixture)
{
    private readonly Scenario _scenario = new(fixture);

    [Fact]
    public async Task Audit_queries_read_from_the_configured_replica_and_writes_stay_on_the_primary()
    {
        var admin = await _scenario.SignUpAsync();
        var replica = await PlatformDatabase.CreateAsync(fixture.Database.Server);
        await using (var connection = new NpgsqlConnection(replica.OwnerConnectionString))
        {
            await connection.OpenAsync(Http.Ct);
            await using var seed = new NpgsqlCommand(
                """
                INSERT INTO tenants (id, company_name, admin_email, status, plan, model_defaults, resource_limits, created_at, updated_at)
                VALUES (@t, 'replica copy', 'a@example.test', 'active', 'starter', '{}', '{}', now(), now());
                INSERT INTO audit_logs (id, tenant_id, actor_type, action, severity, created_at)
                VALUES (gen_random_uuid(), @t, 'system', 'replica.only', 'info', now());
                """, connection);
            seed.Parameters.AddWithValue("t", admin.TenantId!.Value);
            await seed.ExecuteNonQueryAsync(Http.Ct);
        }

        await using var api = new ApiInstance(fixture.Database.AppConnectionString, fixture.Redis.ConnectionString,
            new Dictionary<string, string?> { ["ConnectionStrings:platformdb-read"] = replica.AppConnectionString });
        var fromReplica = await api.Client(admin.AccessToken).GetAsync("/api/v1/audit-logs?action=replica.only", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(fromReplica.GetProperty("items").EnumerateArray());

        var fromPrimary = await fixture.Api.Client(admin.AccessToken).GetAsync("/api/v1/audit-logs?action=replica.only", Http.Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(fromPrimary.GetProperty("items").EnumerateArray());

        // Writes and ordinary reads use the primary.
        await api.Client(admin.AccessToken).PostAsync("/api/v1/agents", new { name = "on-primary" }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(1, await _scenario.CountAsync("SELECT count(*) FROM agents WHERE tenant_id = @t", ("t", admin.TenantId!.Value)));
    }
}
