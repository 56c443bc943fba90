using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;
using Platform.Worker.Containers;

namespace Platform.Worker.Tests;

/// <summary>
/// The poller and the provisioner do not fight the idle state machine: a hibernating agent's stopped workload raises no
/// container_exited and its frozen workload is not woken, while the same workloads of an agent that should run are.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class HibernationTests(WorkerFixture fixture, DockerEngineFixture engine)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stopped_idle_agent_raises_no_alert_and_stays_idle()
    {
        engine.Require();
        var scope = engine.NewScope();
        try
        {
            var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Idle, Ct);
            await HibernateAsync(agentId, HibernationStage.Stopped);
            var containerId = await engine.RunAgentContainerAsync(scope, tenantId, agentId, healthCheck: false, Ct);
            await engine.SetAgentContainerAsync(fixture, agentId, containerId, Ct);
            await engine.Runtime(engine.Options(scope)).StopAsync(containerId, Ct);

            var poller = engine.Poller(fixture, engine.Options(scope));
            var result = await poller.PollOnceAsync(Ct);
            Assert.Equal((1, 1, 0), (result.Containers, result.Samples, result.AlertsOpened));
            Assert.Equal(0, (await engine.Provisioner(fixture, engine.Options(scope), tenantId).RunOnceAsync(Ct)).ContainersResumed);

            Assert.Empty(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.AgentId == agentId), Ct));
            Assert.Equal(AgentStatus.Idle, (await DockerTestData.AgentAsync(fixture, agentId, Ct)).Status);
            Assert.Equal("exited", (await engine.Client.Containers.InspectContainerAsync(containerId, Ct)).State!.Status);
            await using var owner = fixture.Database.CreateOwnerContext();
            Assert.Equal(HealthStatus.Healthy, (await owner.ContainerHealth.AsNoTracking().SingleAsync(h => h.ContainerId == containerId, Ct)).Status);

            // Woken by the state machine (active again) but the container did not come back: that is an exit.
            await DockerTestData.SetAgentStatusAsync(fixture, agentId, AgentStatus.Active, Ct);
            await poller.PollOnceAsync(Ct);
            Assert.Equal(AlertRules.ContainerExited, Assert.Single(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.AgentId == agentId), Ct)).Kind);
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    [Fact]
    public async Task A_frozen_idle_agent_is_not_woken_but_an_active_agents_frozen_workload_is()
    {
        engine.Require();
        var scope = engine.NewScope();
        try
        {
            var (tenantId, idleAgent) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Idle, Ct);
            await HibernateAsync(idleAgent, HibernationStage.Frozen);
            var activeAgent = await DockerTestData.AddAgentAsync(fixture, tenantId, AgentStatus.Active, Ct);
            var runtime = engine.Runtime(engine.Options(scope));
            var sleeping = await engine.RunAgentContainerAsync(scope, tenantId, idleAgent, healthCheck: false, Ct);
            var stuck = await engine.RunAgentContainerAsync(scope, tenantId, activeAgent, healthCheck: false, Ct);
            await engine.SetAgentContainerAsync(fixture, idleAgent, sleeping, Ct);
            await engine.SetAgentContainerAsync(fixture, activeAgent, stuck, Ct);
            await runtime.FreezeAsync(sleeping, Ct);
            await runtime.FreezeAsync(stuck, Ct);

            var result = await engine.Provisioner(fixture, engine.Options(scope), tenantId).RunOnceAsync(Ct);
            Assert.Equal(1, result.ContainersResumed);
            Assert.True((await engine.Client.Containers.InspectContainerAsync(sleeping, Ct)).State!.Paused);
            Assert.False((await engine.Client.Containers.InspectContainerAsync(stuck, Ct)).State!.Paused);

            var poll = await engine.Poller(fixture, engine.Options(scope)).PollOnceAsync(Ct);
            Assert.Equal(0, poll.AlertsOpened);
            Assert.Equal(AgentStatus.Idle, (await DockerTestData.AgentAsync(fixture, idleAgent, Ct)).Status);
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    private async Task HibernateAsync(Guid agentId, HibernationStage stage)
    {
        await using var owner = fixture.Database.CreateOwnerContext();
        await owner.Agents.Where(a => a.Id == agentId).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.IdleStage, stage)
            .SetProperty(a => a.IdleSince, DateTimeOffset.UtcNow)
            .SetProperty(a => a.IdleReason, "no activity"), Ct);
    }
}
