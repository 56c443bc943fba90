using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data.Tenancy;
using Platform.Tests.Support;

namespace Platform.Data.Tests;

/// <summary>
/// What the application role may not do although it has DML on the tables. A cascade runs as the table owner and ignores
/// RLS, so a role that could delete a skill would remove every tenant's installations of it, even from a tenant's scope.
/// </summary>
public sealed class AppRolePrivilegeTests(SharedPostgres postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_application_role_cannot_delete_a_skill_in_any_scope_but_still_updates_one()
    {
        await using (var connection = new NpgsqlConnection(postgres.Database.OwnerConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand(
                "SELECT has_table_privilege(@role, 'skills', 'DELETE'), has_table_privilege(@role, 'skills', 'UPDATE'), " +
                "has_table_privilege(@role, 'skill_installations', 'DELETE')", connection);
            command.Parameters.AddWithValue("role", PlatformDatabase.AppRole);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            Assert.True(await reader.ReadAsync(Ct));
            Assert.Equal((false, true, true), (reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2)));
        }

        var graph = await TenantGraph.CreateAsync(postgres.Database, Ct);
        foreach (var scope in new[] { TenantContext.ForPlatform(), TenantContext.ForTenant(graph.TenantId) })
        {
            await using var db = postgres.Database.CreateAppContext(scope);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => db.Skills.Where(s => s.Id == graph.SkillId).ExecuteDeleteAsync(Ct));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }

        await using var owner = postgres.Database.CreateOwnerContext();
        Assert.True(await owner.Skills.AnyAsync(s => s.Id == graph.SkillId, Ct));
        Assert.True(await owner.SkillInstallations.AnyAsync(i => i.SkillId == graph.SkillId, Ct));
    }
}
