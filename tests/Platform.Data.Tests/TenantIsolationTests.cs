using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data.Entities;
using Platform.Data.Tenancy;
using Platform.Tests.Support;

namespace Platform.Data.Tests;

/// <summary>Row-level security as the application role sees it, through the same DbContext the API uses.</summary>
public sealed class TenantIsolationTests(SharedPostgres postgres)
{
    private PlatformDatabase Database => postgres.Database;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_tenant_sees_its_own_rows_and_none_of_another_tenants()
    {
        var a = await Database.CreateTenantAsync();
        var b = await Database.CreateTenantAsync();

        await using var db = Database.CreateAppContext(Scope(a));
        var agents = await db.Agents.AsNoTracking().ToListAsync(Ct);
        Assert.NotEmpty(agents);
        Assert.All(agents, agent => Assert.Equal(a, agent.TenantId));
        Assert.Empty(await db.AgentChannels.Where(c => c.TenantId == b).ToListAsync(Ct));
        Assert.Equal([a], await db.Tenants.Select(t => t.Id).ToListAsync(Ct));
    }

    [Fact]
    public async Task A_tenant_cannot_update_or_delete_another_tenants_rows()
    {
        var a = await Database.CreateTenantAsync();
        var b = await Database.CreateTenantAsync();
        Guid bAgent;
        await using (var owner = Database.CreateOwnerContext())
        {
            bAgent = await owner.Agents.Where(x => x.TenantId == b).Select(x => x.Id).SingleAsync(Ct);
        }

        await using (var db = Database.CreateAppContext(Scope(a)))
        {
            Assert.Equal(0, await db.Agents.Where(x => x.Id == bAgent).ExecuteUpdateAsync(s => s.SetProperty(x => x.Name, "stolen"), Ct));
            Assert.Equal(0, await db.AgentChannels.Where(x => x.TenantId == b).ExecuteDeleteAsync(Ct));
            Assert.Equal(0, await db.Tenants.Where(t => t.Id == b).ExecuteDeleteAsync(Ct));
        }

        await using var check = Database.CreateOwnerContext();
        var agent = await check.Agents.AsNoTracking().SingleAsync(x => x.Id == bAgent, Ct);
        Assert.NotEqual("stolen", agent.Name);
        Assert.Equal(1, await check.AgentChannels.CountAsync(x => x.TenantId == b, Ct));
    }

    [Fact]
    public async Task A_tenant_cannot_insert_rows_for_another_tenant()
    {
        var a = await Database.CreateTenantAsync();
        var b = await Database.CreateTenantAsync();

        await using var db = Database.CreateAppContext(Scope(a));
        db.Agents.Add(new Agent { TenantId = b, Name = "intruder", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, Assert.IsType<PostgresException>(error.InnerException).SqlState);

        await using var owner = Database.CreateOwnerContext();
        Assert.False(await owner.Agents.AnyAsync(x => x.Name == "intruder" && x.TenantId == b, Ct));
    }

    [Fact]
    public async Task A_tenant_can_write_its_own_rows()
    {
        var a = await Database.CreateTenantAsync();
        await using (var db = Database.CreateAppContext(Scope(a)))
        {
            db.Agents.Add(new Agent { TenantId = a, Name = "own", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
            // The agent and, in the same save, its agent.status_changed webhook event.
            Assert.Equal(2, await db.SaveChangesAsync(Ct));
            Assert.Equal(1, await db.Agents.Where(x => x.Name == "own").ExecuteUpdateAsync(s => s.SetProperty(x => x.Description, "mine"), Ct));
        }

        await using var owner = Database.CreateOwnerContext();
        Assert.Equal("mine", (await owner.Agents.SingleAsync(x => x.TenantId == a && x.Name == "own", Ct)).Description);
    }

    [Fact]
    public async Task Without_a_tenant_every_tenant_scoped_table_is_empty()
    {
        await Database.CreateTenantAsync();

        await using var db = Database.CreateAppContext();
        Assert.Equal(0, await db.Tenants.CountAsync(Ct));
        Assert.Equal(0, await db.Users.CountAsync(Ct));
        Assert.Equal(0, await db.Agents.CountAsync(Ct));
        Assert.Equal(0, await db.AgentChannels.CountAsync(Ct));
        Assert.Equal(0, await db.TeamMembers.CountAsync(Ct));

        // Raw, with no setting ever applied on the connection.
        await using var connection = new NpgsqlConnection(Database.AppConnectionString + ";Pooling=false");
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT (SELECT count(*) FROM agents) + (SELECT count(*) FROM tenants) + (SELECT count(*) FROM audit_logs)", connection);
        Assert.Equal(0L, await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task The_platform_scope_sees_every_tenant()
    {
        var a = await Database.CreateTenantAsync();
        var b = await Database.CreateTenantAsync();
        var platform = new TenantContext();
        platform.UsePlatformScope();

        await using var db = Database.CreateAppContext(platform);
        var ids = await db.Tenants.Where(t => t.Id == a || t.Id == b).Select(t => t.Id).ToListAsync(Ct);
        Assert.Equal(2, ids.Count);
    }

    [Fact]
    public async Task A_pooled_connection_never_carries_a_tenant_into_the_next_unit_of_work()
    {
        var a = await Database.CreateTenantAsync();
        var singleConnection = Database.AppConnectionString + ";Maximum Pool Size=1;Application Name=pool-leak-test";

        await using (var first = PlatformDatabaseContexts.Create(singleConnection, Scope(a)))
        {
            Assert.NotEmpty(await first.Agents.ToListAsync(Ct));
            await using var transaction = await first.Database.BeginTransactionAsync(Ct);
            Assert.NotEmpty(await first.Agents.ToListAsync(Ct));
            await transaction.CommitAsync(Ct);
        }

        await using var next = PlatformDatabaseContexts.Create(singleConnection, new TenantContext());
        Assert.Empty(await next.Agents.ToListAsync(Ct));
        var leftover = await next.Database.SqlQueryRaw<string>("SELECT coalesce(current_setting('app.tenant_id', true), '') AS \"Value\"").SingleAsync(Ct);
        Assert.Equal("", leftover);
    }

    private static TenantContext Scope(Guid tenantId)
    {
        var context = new TenantContext();
        context.UseTenant(tenantId);
        return context;
    }
}
