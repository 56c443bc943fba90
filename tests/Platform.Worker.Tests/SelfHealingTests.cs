using Docker.DotNet.Models;
using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;
using Platform.Data.Security;
using Platform.Runtime;
using Platform.Worker.Containers;

namespace Platform.Worker.Tests;

/// <summary>
/// The provisioner heals what went missing or wrong, within its scope only: a workload removed behind the platform's
/// back comes back, a create that keeps failing backs off and ends in error with one alert, networks and workloads of
/// deleted tenants and agents go, and nothing of another scope is ever touched.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class SelfHealingTests(WorkerFixture fixture, DockerEngineFixture engine)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_workload_removed_behind_the_platforms_back_comes_back_with_a_new_key()
    {
        engine.Require();
        var scope = engine.NewScope();
        try
        {
            var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Provisioning, Ct);
            var provisioner = engine.Provisioner(fixture, engine.Options(scope), tenantId);
            Assert.Equal(1, (await provisioner.RunOnceAsync(Ct)).AgentsProvisioned);
            var first = (await DockerTestData.AgentAsync(fixture, agentId, Ct)).ContainerId!;
            var firstKey = await RuntimeKeyAsync(agentId);

            await engine.Client.Containers.RemoveContainerAsync(first, new ContainerRemoveParameters { Force = true }, Ct);
            var noticed = await provisioner.RunOnceAsync(Ct);
            Assert.Equal(1, noticed.WorkloadsRestored);
            Assert.Equal(AgentStatus.Provisioning, (await DockerTestData.AgentAsync(fixture, agentId, Ct)).Status);

            Assert.Equal(1, (await provisioner.RunOnceAsync(Ct)).AgentsProvisioned);
            var agent = await DockerTestData.AgentAsync(fixture, agentId, Ct);
            Assert.Equal(AgentStatus.Active, agent.Status);
            Assert.NotEqual(first, agent.ContainerId);
            Assert.True((await engine.Client.Containers.InspectContainerAsync(agent.ContainerId!, Ct)).State!.Running);

            await using var owner = fixture.Database.CreateOwnerContext();
            var keys = await owner.ApiKeys.AsNoTracking().Where(k => k.Name == RuntimeKeys.Name(agentId)).ToListAsync(Ct);
            Assert.Equal(2, keys.Count);
            var revoked = keys.Single(k => k.Id == firstKey);
            Assert.NotNull(revoked.RevokedAt);
            Assert.Null(keys.Single(k => k.Id != firstKey).RevokedAt);
            Assert.True(await owner.SecurityChanges.AnyAsync(c => c.Subject == revoked.Prefix, Ct), "the API replicas learn of the revocation");

            // The tenant is told, at info severity, and the open notice does not hold the rebuilt agent in error.
            var notice = await owner.Alerts.AsNoTracking().SingleAsync(a => a.AgentId == agentId, Ct);
            Assert.Equal(AlertRules.WorkloadReprovisioned, notice.Kind);
            Assert.Equal(AlertSeverity.Info, notice.Severity);
            Assert.Equal(first, notice.ContainerId);
            Assert.Equal(tenantId, notice.TenantId);
            Assert.Null(notice.ResolvedAt);
            Assert.True(await owner.WebhookEvents.AnyAsync(e => e.Type == "alert.raised" && e.TenantId == tenantId, Ct), "the alert reaches the tenant's webhooks");

            // Healed: nothing more to do.
            Assert.Equal(new ProvisionResult(0, 0, 0, 0, 0, 0, 0), await provisioner.RunOnceAsync(Ct));
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    [Fact]
    public async Task A_create_that_keeps_failing_backs_off_then_ends_in_error_with_one_alert_resolved_by_a_later_success()
    {
        engine.Require();
        var scope = engine.NewScope();
        try
        {
            // Whole seconds: the database keeps microseconds.
            var clock = new SteppedClock(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
            var loop = DockerEngineFixture.Loop();
            var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Provisioning, Ct);
            var broken = engine.Provisioner(fixture, engine.Options(scope, o => o.AgentImage = "platform-local/no-such-image:none"), loop, clock, tenantId);

            for (var attempt = 1; attempt <= 4; attempt++)
            {
                Assert.Equal(1, (await broken.RunOnceAsync(Ct)).AgentsFailed);
                var agent = await DockerTestData.AgentAsync(fixture, agentId, Ct);
                Assert.Equal((AgentStatus.Provisioning, attempt), (agent.Status, agent.ProvisionAttempts));
                Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(30 << (attempt - 1)), agent.NextProvisionAt);
                Assert.Empty(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.AgentId == agentId), Ct));

                // Not before the back-off is over.
                clock.Advance(TimeSpan.FromSeconds((30 << (attempt - 1)) - 1));
                Assert.Equal(0, (await broken.RunOnceAsync(Ct)).AgentsFailed);
                clock.Advance(TimeSpan.FromSeconds(1));
            }

            Assert.Equal(1, (await broken.RunOnceAsync(Ct)).AgentsFailed);
            var failed = await DockerTestData.AgentAsync(fixture, agentId, Ct);
            Assert.Equal((AgentStatus.Error, 5, (string?)null), (failed.Status, failed.ProvisionAttempts, failed.ContainerId));
            var alert = Assert.Single(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.AgentId == agentId), Ct));
            Assert.Equal(AlertRules.ContainerCreateFailed, alert.Kind);
            Assert.Contains("No such image", alert.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Null(alert.ResolvedAt);

            // Still retried, at the longest back-off; still one alert.
            clock.Advance(TimeSpan.FromMinutes(10));
            Assert.Equal(1, (await broken.RunOnceAsync(Ct)).AgentsFailed);
            Assert.Single(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.AgentId == agentId), Ct));
            Assert.Empty(await engine.ContainersAsync(scope, Ct));

            // The image is there again: the next try succeeds and the alert is resolved.
            clock.Advance(TimeSpan.FromMinutes(10));
            var fixedUp = engine.Provisioner(fixture, engine.Options(scope), loop, clock, tenantId);
            Assert.Equal(1, (await fixedUp.RunOnceAsync(Ct)).AgentsProvisioned);
            var healed = await DockerTestData.AgentAsync(fixture, agentId, Ct);
            Assert.Equal((AgentStatus.Active, 0, (DateTimeOffset?)null), (healed.Status, healed.ProvisionAttempts, healed.NextProvisionAt));
            Assert.NotNull(Assert.Single(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.AgentId == agentId), Ct)).ResolvedAt);
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    [Fact]
    public async Task The_network_of_a_deleted_tenant_is_removed_and_another_scopes_is_not()
    {
        engine.Require();
        var scope = engine.NewScope();
        var otherScope = engine.NewScope();
        try
        {
            var tenantId = await fixture.Database.CreateTenantAsync();
            await using (var owner = fixture.Database.CreateOwnerContext())
            {
                await owner.Tenants.Where(t => t.Id == tenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TenantStatus.Provisioning), Ct);
            }

            var provisioner = engine.Provisioner(fixture, engine.Options(scope, o => o.NetworkPerTenant = true), tenantId);
            var created = await provisioner.RunOnceAsync(Ct);
            Assert.Equal((1, 1), (created.TenantsActivated, created.AgentsProvisioned));
            var agentContainer = Assert.Single(await engine.ContainersAsync(scope, Ct));
            var ours = await engine.Client.Networks.InspectNetworkAsync(RuntimeLabels.TenantNetwork(tenantId), Ct);
            Assert.Equal(scope, ours.Labels![RuntimeLabels.Scope]);
            Assert.Contains(ours.Name, (await engine.Client.Containers.InspectContainerAsync(agentContainer.ID, Ct)).NetworkSettings!.Networks!.Keys);

            // Another installation on the same engine has a network for the same tenant id (an engine of API 1.41
            // allows the same name twice).
            var theirs = await engine.Client.Networks.CreateNetworkAsync(new NetworksCreateParameters
            {
                Name = RuntimeLabels.TenantNetwork(tenantId),
                Driver = "bridge",
                Labels = new Dictionary<string, string> { [RuntimeLabels.TenantId] = tenantId.ToString(), [RuntimeLabels.Scope] = otherScope },
                Options = new Dictionary<string, string>(),
            }, Ct);

            await using (var owner = fixture.Database.CreateOwnerContext())
            {
                await owner.Tenants.Where(t => t.Id == tenantId).ExecuteDeleteAsync(Ct);
            }

            var cleaned = await provisioner.RunOnceAsync(Ct);
            Assert.Equal((1, 1), (cleaned.ContainersRemoved, cleaned.NetworksRemoved));
            Assert.Empty(await engine.ContainersAsync(scope, Ct));
            var left = await engine.Client.Networks.ListNetworksAsync(new NetworksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [RuntimeLabels.TenantNetwork(tenantId)] = true } },
            }, Ct);
            Assert.Equal(theirs.ID, Assert.Single(left).ID);
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
            await engine.RemoveScopeAsync(otherScope);
        }
    }

    [Fact]
    public async Task Containers_of_another_scope_are_never_touched()
    {
        engine.Require();
        var scope = engine.NewScope();
        var otherScope = engine.NewScope();
        try
        {
            // Of the other scope: a container of an agent this database does not know (an orphan, were it ours), one of
            // a paused agent (would be frozen), and one of an active agent that was killed (would raise container_exited).
            var (tenantId, pausedAgent) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Paused, Ct);
            var activeAgent = await DockerTestData.AddAgentAsync(fixture, tenantId, AgentStatus.Active, Ct);
            var orphan = await engine.RunAgentContainerAsync(otherScope, tenantId, Guid.NewGuid(), healthCheck: false, Ct);
            var paused = await engine.RunAgentContainerAsync(otherScope, tenantId, pausedAgent, healthCheck: false, Ct);
            var killed = await engine.RunAgentContainerAsync(otherScope, tenantId, activeAgent, healthCheck: false, Ct);
            await engine.Client.Containers.KillContainerAsync(killed, new ContainerKillParameters { Signal = "KILL" }, Ct);
            await engine.WaitForStateAsync(killed, "exited", Ct);

            var result = await engine.Provisioner(fixture, engine.Options(scope), tenantId).RunOnceAsync(Ct);
            Assert.Equal(new ProvisionResult(0, 0, 0, 0, 0, 0, 0), result);
            var poll = await engine.Poller(fixture, engine.Options(scope)).PollOnceAsync(Ct);
            Assert.Equal((0, 0), (poll.Containers, poll.AlertsOpened));

            var runtime = engine.Runtime(engine.Options(scope));
            Assert.False(await runtime.RemoveAsync(orphan, Ct));
            var notFound = await Assert.ThrowsAsync<RuntimeOperationException>(() => runtime.FreezeAsync(paused, Ct));
            Assert.Equal(RuntimeErrorKind.NotFound, notFound.Kind);
            await Assert.ThrowsAsync<RuntimeOperationException>(() => runtime.StopAsync(paused, Ct));
            await Assert.ThrowsAsync<RuntimeOperationException>(() => runtime.WakeAsync(killed, Ct));
            Assert.Empty(await runtime.ObserveAsync([new AgentWorkload(paused, pausedAgent, tenantId, WorkloadState.Running, DateTimeOffset.UtcNow)], DateTimeOffset.UtcNow, Ct));

            Assert.True((await engine.Client.Containers.InspectContainerAsync(orphan, Ct)).State!.Running);
            var state = (await engine.Client.Containers.InspectContainerAsync(paused, Ct)).State!;
            Assert.True(state.Running && !state.Paused);
            Assert.Equal("exited", (await engine.Client.Containers.InspectContainerAsync(killed, Ct)).State!.Status);
            Assert.Empty(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.TenantId == tenantId), Ct));
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
            await engine.RemoveScopeAsync(otherScope);
        }
    }

    [Fact]
    public async Task An_agent_deleted_while_its_workload_is_created_leaves_no_workload_behind()
    {
        engine.Require();
        var scope = engine.NewScope();
        try
        {
            var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Provisioning, Ct);
            var provisioner = engine.Provisioner(fixture, engine.Options(scope), tenantId);
            var provisioning = provisioner.RunOnceAsync(Ct);

            // As soon as the container exists the agent is deleted: the delete waits for the provisioner's claim on the
            // row, whichever comes first.
            await DockerEngineFixture.WaitAsync(async () => provisioning.IsCompleted || (await engine.ContainersAsync(scope, Ct)).Count > 0, "the container", Ct);
            await using (var owner = fixture.Database.CreateOwnerContext())
            {
                Assert.Equal(1, await owner.Agents.Where(a => a.Id == agentId).ExecuteDeleteAsync(Ct));
            }

            await provisioning;
            await provisioner.RunOnceAsync(Ct);
            Assert.Empty(await engine.ContainersAsync(scope, Ct));
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    private async Task<Guid> RuntimeKeyAsync(Guid agentId)
    {
        await using var owner = fixture.Database.CreateOwnerContext();
        return await owner.ApiKeys.Where(k => k.Name == RuntimeKeys.Name(agentId) && k.RevokedAt == null).Select(k => k.Id).SingleAsync(Ct);
    }
}
