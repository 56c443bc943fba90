using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;

namespace Platform.Worker.Tests;

/// <summary>Tenants and agents for the Docker tests, written as the database owner.</summary>
internal static class DockerTestData
{
    /// <summary>A new tenant (active) and its one agent, moved to <paramref name="status"/>.</summary>
    public static async Task<(Guid TenantId, Guid AgentId)> TenantWithAgentAsync(
        WorkerFixture fixture, AgentStatus status, CancellationToken cancellationToken)
    {
        var tenantId = await fixture.Database.CreateTenantAsync();
        await using var db = fixture.Database.CreateOwnerContext();
        var agent = await db.Agents.SingleAsync(a => a.TenantId == tenantId, cancellationToken);
        agent.Status = status;
        await db.SaveChangesAsync(cancellationToken);
        return (tenantId, agent.Id);
    }

    public static async Task<Guid> AddAgentAsync(WorkerFixture fixture, Guid tenantId, AgentStatus status, CancellationToken cancellationToken)
    {
        await using var db = fixture.Database.CreateOwnerContext();
        var now = DateTimeOffset.UtcNow;
        var agent = new Agent
        {
            TenantId = tenantId,
            Name = "agent-" + Guid.NewGuid().ToString("N")[..8],
            Role = AgentRole.Engineering,
            Status = status,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Agents.Add(agent);
        await db.SaveChangesAsync(cancellationToken);
        return agent.Id;
    }

    public static async Task SetAgentStatusAsync(WorkerFixture fixture, Guid agentId, AgentStatus status, CancellationToken cancellationToken)
    {
        await using var db = fixture.Database.CreateOwnerContext();
        await db.Agents.Where(a => a.Id == agentId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, status), cancellationToken);
    }

    public static async Task<Agent> AgentAsync(WorkerFixture fixture, Guid agentId, CancellationToken cancellationToken)
    {
        await using var db = fixture.Database.CreateOwnerContext();
        return await db.Agents.AsNoTracking().SingleAsync(a => a.Id == agentId, cancellationToken);
    }

    public static async Task<List<Alert>> AlertsAsync(WorkerFixture fixture, Func<IQueryable<Alert>, IQueryable<Alert>> filter, CancellationToken cancellationToken)
    {
        await using var db = fixture.Database.CreateOwnerContext();
        return await filter(db.Alerts.AsNoTracking()).OrderBy(a => a.CreatedAt).ToListAsync(cancellationToken);
    }
}
