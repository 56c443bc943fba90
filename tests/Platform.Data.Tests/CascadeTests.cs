using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data.Entities;
using Platform.Data.Tenancy;
using Platform.Tests.Support;

namespace Platform.Data.Tests;

/// <summary>
/// The deletions the product makes, as it makes them (the application role, row-level security on, the request's scope):
/// everything that goes with the row, every link that is set to NULL, and everything that stays.
/// </summary>
public sealed class CascadeTests(SharedPostgres postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deleting_a_tenant_removes_its_rows_from_every_tenant_scoped_table_and_nothing_else()
    {
        var doomed = await TenantGraph.CreateAsync(postgres.Database, Ct);
        var survivor = await TenantGraph.CreateAsync(postgres.Database, Ct);
        var platformAlert = await CreatePlatformAlertAsync();
        var tables = await TenantScopedTablesAsync();
        Assert.Equal(18, tables.Count);
        foreach (var table in tables)
        {
            Assert.True(await CountAsync(table, "tenant_id", doomed.TenantId) > 0, $"{table} has no row to cascade");
        }

        // As DELETE /tenants/{id} does it: a platform admin's scope.
        await using (var db = postgres.Database.CreateAppContext(TenantContext.ForPlatform()))
        {
            Assert.Equal(1, await db.Tenants.Where(t => t.Id == doomed.TenantId).ExecuteDeleteAsync(Ct));
        }

        foreach (var table in tables)
        {
            Assert.Equal(0, await CountAsync(table, "tenant_id", doomed.TenantId));
            Assert.True(await CountAsync(table, "tenant_id", survivor.TenantId) > 0, $"{table} lost another tenant's rows");
        }

        Assert.Equal(0, await CountAsync("refresh_tokens", "user_id", doomed.UserId));
        Assert.Equal(2, await CountAsync("refresh_tokens", "user_id", survivor.UserId));
        Assert.Equal(1, await CountAsync("skills", "id", doomed.SkillId));
        Assert.Equal(1, await CountAsync("alerts", "id", platformAlert));
    }

    [Fact]
    public async Task Deleting_a_user_removes_their_sessions_membership_tickets_and_ratings_and_unlinks_what_they_created()
    {
        var graph = await TenantGraph.CreateAsync(postgres.Database, Ct);
        var other = await TenantGraph.CreateAsync(postgres.Database, Ct);

        // Refused: another tenant's scope cannot see the user, so no delete and no cascade starts.
        await using (var intruder = postgres.Database.CreateAppContext(TenantContext.ForTenant(other.TenantId)))
        {
            Assert.Equal(0, await intruder.Users.Where(u => u.Id == graph.UserId).ExecuteDeleteAsync(Ct));
        }

        Assert.Equal(2, await CountAsync("refresh_tokens", "user_id", graph.UserId));

        // As DELETE /team/members/{id} does it: the tracked user removed in the tenant's scope.
        await using (var db = postgres.Database.CreateAppContext(TenantContext.ForTenant(graph.TenantId)))
        {
            db.Users.Remove(await db.Users.SingleAsync(u => u.Id == graph.UserId, Ct));
            await db.SaveChangesAsync(Ct);
        }

        Assert.Equal(0, await CountAsync("users", "id", graph.UserId));
        foreach (var table in new[] { "refresh_tokens", "team_members", "access_tickets", "skill_ratings" })
        {
            Assert.Equal(0, await CountAsync(table, "user_id", graph.UserId));
        }

        foreach (var (table, column) in new[]
                 {
                     ("api_keys", "created_by_user_id"), ("team_invites", "invited_by_user_id"),
                     ("skill_installations", "installed_by_user_id"), ("alerts", "acknowledged_by_user_id"),
                 })
        {
            Assert.Equal(1, await CountAsync(table, "id", graph.Row(table, column)));
            Assert.Equal(0, await CountAsync(table, column, graph.UserId));
        }

        Assert.Equal(1, await CountAsync("agents", "id", graph.AgentId));
        Assert.Equal(1, await CountAsync("audit_logs", "actor_id", graph.UserId));
        Assert.Equal(2, await CountAsync("refresh_tokens", "user_id", other.UserId));
    }

    [Fact]
    public async Task Deleting_an_agent_removes_its_data_and_runtime_key_and_keeps_its_alerts_unlinked()
    {
        var graph = await TenantGraph.CreateAsync(postgres.Database, Ct);
        Assert.Equal(1, await ScalarAsync($"SELECT install_count FROM skills WHERE id = '{graph.SkillId}'"));

        // As DELETE /agents/{id} does it.
        await using (var db = postgres.Database.CreateAppContext(TenantContext.ForTenant(graph.TenantId)))
        {
            db.Agents.Remove(await db.Agents.SingleAsync(a => a.Id == graph.AgentId, Ct));
            await db.SaveChangesAsync(Ct);
        }

        foreach (var table in new[] { "agent_activities", "agent_metrics", "agent_channels", "skill_installations", "container_health", "api_keys" })
        {
            Assert.Equal(0, await CountAsync(table, "agent_id", graph.AgentId));
        }

        Assert.Equal(0, await CountAsync("access_tickets", "id", graph.Row("access_tickets", "api_key_id")));
        Assert.Equal(1, await CountAsync("alerts", "id", graph.Rows["alerts"]));
        Assert.Equal(0, await CountAsync("alerts", "agent_id", graph.AgentId));

        Assert.Equal(1, await CountAsync("agents", "id", graph.OtherAgentId));
        Assert.Equal(1, await CountAsync("api_keys", "id", graph.Rows["api_keys"]));
        Assert.Equal(1, await CountAsync("access_tickets", "id", graph.Rows["access_tickets"]));
        Assert.Equal(0, await ScalarAsync($"SELECT install_count FROM skills WHERE id = '{graph.SkillId}'"));
    }

    [Fact]
    public async Task Deleting_a_skill_removes_its_installations_and_ratings_in_every_tenant_and_nothing_else()
    {
        var first = await TenantGraph.CreateAsync(postgres.Database, Ct);
        var second = await TenantGraph.CreateAsync(postgres.Database, Ct);
        await using (var owner = postgres.Database.CreateOwnerContext())
        {
            owner.SkillInstallations.Add(new SkillInstallation
            {
                TenantId = second.TenantId, AgentId = second.AgentId, SkillId = first.SkillId, Version = "1.0.0", InstalledAt = DateTimeOffset.UtcNow,
            });
            await owner.SaveChangesAsync(Ct);
        }

        // The product removes a skill by status and the application role may not delete one (a cascade runs past RLS, so it
        // would reach every tenant): only an operator as the owner, the Migrator's role, can, and this is what follows.
        await using (var db = postgres.Database.CreateOwnerContext())
        {
            Assert.Equal(1, await db.Skills.Where(s => s.Id == first.SkillId).ExecuteDeleteAsync(Ct));
        }

        Assert.Equal(0, await CountAsync("skill_installations", "skill_id", first.SkillId));
        Assert.Equal(0, await CountAsync("skill_ratings", "skill_id", first.SkillId));
        Assert.Equal(1, await CountAsync("skill_installations", "skill_id", second.SkillId));
        Assert.Equal(1, await CountAsync("agents", "id", first.AgentId));
        Assert.Equal(1, await CountAsync("agents", "id", second.AgentId));
    }

    private async Task<Guid> CreatePlatformAlertAsync()
    {
        await using var db = postgres.Database.CreateOwnerContext();
        var alert = new Alert
        {
            Kind = "docker_unreachable", Severity = AlertSeverity.Critical, Title = "t", Message = "m", Fingerprint = Guid.NewGuid().ToString("N"),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Alerts.Add(alert);
        await db.SaveChangesAsync(Ct);
        return alert.Id;
    }

    private async Task<List<string>> TenantScopedTablesAsync()
    {
        await using var connection = new NpgsqlConnection(postgres.Database.OwnerConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var tables = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private Task<long> CountAsync(string table, string column, Guid value) =>
        ScalarAsync($"SELECT count(*) FROM {table} WHERE {column} = '{value}'");

    /// <summary>As the owner, who sees every row whatever the policies say.</summary>
    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.Database.OwnerConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
