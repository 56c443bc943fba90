using Docker.DotNet.Models;
using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;
using Platform.Runtime;
using Platform.Worker.Containers;

namespace Platform.Worker.Tests;

/// <summary>The poller against real containers: each container alert opens, resolves and moves the agent.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerPollerAlertTests(WorkerFixture fixture, DockerEngineFixture engine)
{
    [Fact]
    public async Task An_unhealthy_container_raises_one_alert_which_resolves_when_it_turns_healthy()
    {
        engine.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = engine.NewScope();
        try
        {
            var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Active, ct);
            var containerId = await engine.RunAgentContainerAsync(scope, tenantId, agentId, healthCheck: true, ct);
            await engine.WaitForHealthAsync(containerId, "unhealthy", ct);

            var poller = engine.Poller(fixture, engine.Options(scope));
            for (var i = 0; i < 3; i++)
            {
                var result = await poller.PollOnceAsync(ct);
                Assert.True(result.Reachable, result.Error);
                Assert.Equal(1, result.Samples);
            }

            var alerts = await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.ContainerId == containerId), ct);
            var alert = Assert.Single(alerts);
            Assert.Equal(AlertRules.ContainerUnhealthy, alert.Kind);
            Assert.Equal($"container_unhealthy:{containerId}", alert.Fingerprint);
            Assert.Equal(tenantId, alert.TenantId);
            Assert.Equal(agentId, alert.AgentId);
            Assert.Null(alert.ResolvedAt);
            Assert.Equal(AgentStatus.Error, (await DockerTestData.AgentAsync(fixture, agentId, ct)).Status);

            await using (var db = fixture.Database.CreateOwnerContext())
            {
                var samples = await db.ContainerHealth.AsNoTracking().Where(h => h.ContainerId == containerId).ToListAsync(ct);
                Assert.Equal(3, samples.Count);
                Assert.All(samples, s =>
                {
                    Assert.Equal(HealthResolution.Raw, s.Resolution);
                    Assert.Equal(HealthStatus.Unhealthy, s.Status);
                    Assert.Equal(tenantId, s.TenantId);
                    Assert.Equal(agentId, s.AgentId);
                    Assert.Equal(64, s.MemoryLimitMb);
                    Assert.Equal(1, s.SampleCount);
                });
            }

            await engine.ExecAsync(containerId, ct, "/bin/busybox", "touch", "/tmp/ok");
            await engine.WaitForHealthAsync(containerId, "healthy", ct);
            var healthy = await poller.PollOnceAsync(ct);
            Assert.True(healthy.Reachable, healthy.Error);

            alert = Assert.Single(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.ContainerId == containerId), ct));
            Assert.NotNull(alert.ResolvedAt);
            Assert.Equal(AgentStatus.Active, (await DockerTestData.AgentAsync(fixture, agentId, ct)).Status);

            // Unhealthy again: a new alert (the resolved one stays as history).
            await engine.ExecAsync(containerId, ct, "/bin/busybox", "rm", "/tmp/ok");
            await engine.WaitForHealthAsync(containerId, "unhealthy", ct);
            await poller.PollOnceAsync(ct);
            alerts = await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.ContainerId == containerId), ct);
            Assert.Equal(2, alerts.Count);
            Assert.Single(alerts, a => a.ResolvedAt is null);
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    [Fact]
    public async Task A_container_that_exits_raises_container_exited_and_the_agent_goes_to_error()
    {
        engine.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = engine.NewScope();
        try
        {
            var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Active, ct);
            var containerId = await engine.RunAgentContainerAsync(scope, tenantId, agentId, healthCheck: false, ct);
            var poller = engine.Poller(fixture, engine.Options(scope));

            var running = await poller.PollOnceAsync(ct);
            Assert.Equal(0, running.AlertsOpened);
            Assert.Equal(AgentStatus.Active, (await DockerTestData.AgentAsync(fixture, agentId, ct)).Status);

            await engine.Client.Containers.KillContainerAsync(containerId, new ContainerKillParameters { Signal = "KILL" }, ct);
            await engine.WaitForStateAsync(containerId, "exited", ct);
            await poller.PollOnceAsync(ct);
            await poller.PollOnceAsync(ct);

            var alert = Assert.Single(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.ContainerId == containerId), ct));
            Assert.Equal(AlertRules.ContainerExited, alert.Kind);
            Assert.Equal(AlertSeverity.Critical, alert.Severity);
            Assert.Contains("137", alert.Message, StringComparison.Ordinal);
            Assert.Null(alert.ResolvedAt);
            Assert.Equal(AgentStatus.Error, (await DockerTestData.AgentAsync(fixture, agentId, ct)).Status);

            // The container goes away (e.g. removed by hand): its alert is resolved and the agent is active again.
            await engine.RemoveScopeAsync(scope);
            await poller.PollOnceAsync(ct);
            alert = Assert.Single(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.ContainerId == containerId), ct));
            Assert.NotNull(alert.ResolvedAt);
            Assert.Equal(AgentStatus.Active, (await DockerTestData.AgentAsync(fixture, agentId, ct)).Status);
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    [Fact]
    public async Task A_container_that_keeps_crashing_raises_restart_loop()
    {
        engine.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = engine.NewScope();
        try
        {
            var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Active, ct);
            var created = await engine.Client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Image = DockerEngineFixture.Image,
                Cmd = ["/bin/sh", "-c", "exit 3"],
                Labels = new Dictionary<string, string>
                {
                    [RuntimeLabels.AgentId] = agentId.ToString(),
                    [RuntimeLabels.TenantId] = tenantId.ToString(),
                    [RuntimeLabels.Scope] = scope,
                },
                HostConfig = new HostConfig { NetworkMode = "none", RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.OnFailure } },
            }, ct);
            await engine.Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), ct);
            await DockerEngineFixture.WaitAsync(
                async () => (await engine.Client.Containers.InspectContainerAsync(created.ID, ct)).RestartCount >= 3, "three restarts", ct);

            await engine.Poller(fixture, engine.Options(scope)).PollOnceAsync(ct);

            var alerts = await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.ContainerId == created.ID && a.ResolvedAt == null), ct);
            var loop = Assert.Single(alerts, a => a.Kind == AlertRules.RestartLoop);
            Assert.Equal($"restart_loop:{created.ID}", loop.Fingerprint);
            Assert.Equal(AgentStatus.Error, (await DockerTestData.AgentAsync(fixture, agentId, ct)).Status);
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    [Fact]
    public async Task Paused_agents_are_left_alone_while_their_container_alerts_open()
    {
        engine.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = engine.NewScope();
        try
        {
            var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Paused, ct);
            var containerId = await engine.RunAgentContainerAsync(scope, tenantId, agentId, healthCheck: false, ct);
            await engine.Client.Containers.KillContainerAsync(containerId, new ContainerKillParameters { Signal = "KILL" }, ct);
            await engine.WaitForStateAsync(containerId, "exited", ct);

            await engine.Poller(fixture, engine.Options(scope)).PollOnceAsync(ct);

            Assert.Single(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.ContainerId == containerId && a.ResolvedAt == null), ct));
            Assert.Equal(AgentStatus.Paused, (await DockerTestData.AgentAsync(fixture, agentId, ct)).Status);
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }
}
