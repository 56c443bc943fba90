using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;
using Platform.Worker.Containers;

namespace Platform.Worker.Tests;

/// <summary>The poller's alert store writes each webhook event in the transaction of the change it makes with SQL.</summary>
public sealed class WebhookOutboxTests(WorkerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Raising_and_resolving_an_alert_writes_its_events_and_the_agent_status_changes_beside_them()
    {
        var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Active, Ct);
        var store = new AlertStore(TimeProvider.System);
        var fingerprint = $"outbox-test:{Guid.NewGuid()}";
        var since = DateTimeOffset.UtcNow;

        await InTransactionAsync(async db =>
        {
            Assert.True(await store.OpenAsync(db, new AlertDraft(tenantId, agentId, "c", "container_exited", AlertSeverity.Critical, "t", "m", fingerprint), Ct));
            Assert.Equal(1, await store.SyncAgentStatusesAsync(db, [agentId], Ct));
        });
        await InTransactionAsync(async db =>
        {
            Assert.Equal([agentId], await store.ResolveAsync(db, [fingerprint], Ct));
            Assert.Equal(1, await store.SyncAgentStatusesAsync(db, [agentId], Ct));
        });

        await using var check = fixture.PlatformScoped();
        var events = await check.WebhookEvents.AsNoTracking().Where(e => e.TenantId == tenantId && e.CreatedAt >= since)
            .OrderBy(e => e.CreatedAt).ToListAsync(Ct);
        Assert.Equal(["alert.raised", "agent.status_changed", "alert.resolved", "agent.status_changed"], events.Select(e => e.Type));
        Assert.Equal("error", events[1].Data.RootElement.GetProperty("status").GetString());
        Assert.Equal("active", events[1].Data.RootElement.GetProperty("previousStatus").GetString());
        Assert.Equal("resolved", events[2].Data.RootElement.GetProperty("state").GetString());
        Assert.Equal(agentId, events[2].Data.RootElement.GetProperty("agentId").GetGuid());
        Assert.Equal("active", events[3].Data.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_rolled_back_alert_leaves_no_event()
    {
        var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Active, Ct);
        await using (var db = fixture.PlatformScoped())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await new AlertStore(TimeProvider.System).OpenAsync(db, new AlertDraft(
                tenantId, agentId, "c", "container_exited", AlertSeverity.Critical, "t", "m", $"outbox-test:{Guid.NewGuid()}"), Ct);
            await transaction.RollbackAsync(Ct);
        }

        await using var check = fixture.PlatformScoped();
        Assert.False(await check.WebhookEvents.AnyAsync(e => e.TenantId == tenantId && e.Type == "alert.raised", Ct));
    }

    private async Task InTransactionAsync(Func<Platform.Data.PlatformDbContext, Task> work)
    {
        await using var db = fixture.PlatformScoped();
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);
        await work(db);
        await transaction.CommitAsync(Ct);
    }
}
