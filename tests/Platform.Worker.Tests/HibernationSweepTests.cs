using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Data.Entities;
using Platform.Worker.Hibernation;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Platform.Worker.Tests;

/// <summary>
/// The hibernation edges the worker owns, on a real engine: a quiet agent is frozen, then stopped, and activity since it
/// went idle wakes it; each move writes one audit row and one feed event. Agents with push channels stay awake, and a
/// tenant can switch hibernation off.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class HibernationSweepTests(WorkerFixture fixture, DockerEngineFixture engine)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_quiet_agent_is_frozen_then_stopped_and_activity_wakes_it_each_move_audited_once()
    {
        engine.Require();
        var scope = engine.NewScope();
        try
        {
            var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Active, Ct);
            await DisableChannelsAsync(agentId);
            var container = await engine.RunAgentContainerAsync(scope, tenantId, agentId, healthCheck: false, Ct);
            await engine.SetAgentContainerAsync(fixture, agentId, container, Ct);
            await TouchAsync(agentId, TimeSpan.FromMinutes(-5));
            var sweep = Sweep(scope, tenantId, o => o.StopAfter = TimeSpan.FromMinutes(10));

            Assert.Equal(new HibernationResult(1, 0, 0, 0), await sweep.SweepOnceAsync(Ct));
            var agent = await DockerTestData.AgentAsync(fixture, agentId, Ct);
            Assert.Equal((AgentStatus.Idle, HibernationStage.Frozen), (agent.Status, agent.IdleStage));
            Assert.StartsWith("No activity for", agent.IdleReason, StringComparison.Ordinal);
            Assert.True((await engine.Client.Containers.InspectContainerAsync(container, Ct)).State!.Paused);
            Assert.Equal(new HibernationResult(0, 0, 0, 0), await sweep.SweepOnceAsync(Ct));

            await IdleSinceAsync(agentId, TimeSpan.FromMinutes(-11));
            Assert.Equal(new HibernationResult(0, 1, 0, 0), await sweep.SweepOnceAsync(Ct));
            Assert.Equal(HibernationStage.Stopped, (await DockerTestData.AgentAsync(fixture, agentId, Ct)).IdleStage);
            Assert.False((await engine.Client.Containers.InspectContainerAsync(container, Ct)).State!.Running);

            // A user's write to the agent touches last_active_at: the next sweep wakes it.
            await TouchAsync(agentId, TimeSpan.Zero);
            Assert.Equal(new HibernationResult(0, 0, 1, 0), await sweep.SweepOnceAsync(Ct));
            agent = await DockerTestData.AgentAsync(fixture, agentId, Ct);
            Assert.Equal((AgentStatus.Active, (HibernationStage?)null, (DateTimeOffset?)null), (agent.Status, agent.IdleStage, agent.IdleSince));
            Assert.True((await engine.Client.Containers.InspectContainerAsync(container, Ct)).State!.Running);

            await using var owner = fixture.Database.CreateOwnerContext();
            var audit = await owner.AuditLogs.AsNoTracking().Where(a => a.TargetId == agentId).Select(a => new { a.Action, a.ActorType }).ToListAsync(Ct);
            Assert.Equal(["agent.hibernated", "agent.stopped", "agent.woken"], audit.Select(a => a.Action).Order(StringComparer.Ordinal));
            Assert.All(audit, a => Assert.Equal(AuditActorType.System, a.ActorType));
            var feed = await owner.AgentActivities.AsNoTracking().Where(a => a.AgentId == agentId).ToListAsync(Ct);
            Assert.Equal(3, feed.Count);
            Assert.All(feed, a => Assert.Equal(ActivityType.Task, a.Type));
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    [Fact]
    public async Task Agents_with_push_channels_and_tenants_that_opted_out_stay_awake()
    {
        engine.Require();
        var scope = engine.NewScope();
        try
        {
            var (tenantId, withSlack) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Active, Ct);
            await using (var owner = fixture.Database.CreateOwnerContext())
            {
                await owner.AgentChannels.Where(c => c.AgentId == withSlack)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.Type, ChannelType.Slack).SetProperty(c => c.Enabled, true), Ct);
            }

            var (optedOutTenant, optedOut) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Active, Ct);
            await DisableChannelsAsync(optedOut);
            await using (var owner = fixture.Database.CreateOwnerContext())
            {
                await owner.Tenants.Where(t => t.Id == optedOutTenant)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.ResourceLimits, new ResourceLimits { HibernateAfterMinutes = 0 }), Ct);
            }

            foreach (var (tenant, agent) in new[] { (tenantId, withSlack), (optedOutTenant, optedOut) })
            {
                await engine.SetAgentContainerAsync(fixture, agent, await engine.RunAgentContainerAsync(scope, tenant, agent, healthCheck: false, Ct), Ct);
                await TouchAsync(agent, TimeSpan.FromDays(-1));
            }

            var sweep = Sweep(scope, tenantId, optedOutTenant);
            Assert.Equal(new HibernationResult(0, 0, 0, 0), await sweep.SweepOnceAsync(Ct));
            Assert.Equal(AgentStatus.Active, (await DockerTestData.AgentAsync(fixture, withSlack, Ct)).Status);
            Assert.Equal(AgentStatus.Active, (await DockerTestData.AgentAsync(fixture, optedOut, Ct)).Status);
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    private HibernationSweep Sweep(string scope, Guid tenantId, Action<HibernationOptions>? configure = null) => Sweep(scope, [tenantId], configure);

    private HibernationSweep Sweep(string scope, Guid first, Guid second) => Sweep(scope, [first, second]);

    private HibernationSweep Sweep(string scope, Guid[] tenants, Action<HibernationOptions>? configure = null)
    {
        var options = new HibernationOptions { HibernateAfter = TimeSpan.FromMinutes(1) };
        configure?.Invoke(options);
        return new HibernationSweep(engine.Runtime(engine.Options(scope)), fixture.AppOptions, MsOptions.Create(options), TimeProvider.System,
            NullLogger<HibernationSweep>.Instance) { OnlyTenants = tenants };
    }

    private async Task TouchAsync(Guid agentId, TimeSpan offset)
    {
        await using var owner = fixture.Database.CreateOwnerContext();
        var at = DateTimeOffset.UtcNow + offset;
        await owner.Agents.Where(a => a.Id == agentId).ExecuteUpdateAsync(s => s.SetProperty(a => a.LastActiveAt, at), Ct);
    }

    private async Task IdleSinceAsync(Guid agentId, TimeSpan offset)
    {
        await using var owner = fixture.Database.CreateOwnerContext();
        var at = DateTimeOffset.UtcNow + offset;
        var quietBefore = at - TimeSpan.FromMinutes(1);
        await owner.Agents.Where(a => a.Id == agentId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.IdleSince, at).SetProperty(a => a.LastActiveAt, quietBefore), Ct);
    }

    private async Task DisableChannelsAsync(Guid agentId)
    {
        await using var owner = fixture.Database.CreateOwnerContext();
        await owner.AgentChannels.Where(c => c.AgentId == agentId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Enabled, false), Ct);
    }
}
