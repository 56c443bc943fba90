using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;
using Platform.Data.Security;
using Platform.Runtime;
using Platform.Worker.Containers;

namespace Platform.Worker.Tests;

[Collection(DockerCollection.Name)]
public sealed class DockerProvisionerTests(WorkerFixture fixture, DockerEngineFixture engine)
{
    [Fact]
    public async Task A_provisioning_agent_gets_a_labelled_container_with_its_plan_limits_and_key_and_follows_pause_resume_and_delete()
    {
        engine.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = engine.NewScope();
        try
        {
            var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Provisioning, ct);
            await using (var owner = fixture.Database.CreateOwnerContext())
            {
                await owner.Tenants.Where(t => t.Id == tenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.Plan, TenantPlan.Growth), ct);
            }

            var provisioner = engine.Provisioner(fixture, engine.Options(scope), tenantId);
            var result = await provisioner.RunOnceAsync(ct);
            Assert.Equal(1, result.AgentsProvisioned);
            Assert.Equal(0, result.AgentsFailed);

            var agent = await DockerTestData.AgentAsync(fixture, agentId, ct);
            Assert.Equal(AgentStatus.Active, agent.Status);
            Assert.NotNull(agent.ContainerId);

            var inspect = await engine.Client.Containers.InspectContainerAsync(agent.ContainerId!, ct);
            Assert.True(inspect.State!.Running);
            Assert.Equal(DockerEngineFixture.Image, inspect.Config!.Image);
            Assert.Equal(1024L * 1024 * 1024, inspect.HostConfig!.Memory);
            Assert.Equal(1_000_000_000L, inspect.HostConfig!.NanoCPUs);
            Assert.Equal("none", inspect.HostConfig!.NetworkMode);
            Assert.Equal(agentId.ToString(), inspect.Config!.Labels![RuntimeLabels.AgentId]);
            Assert.Equal(tenantId.ToString(), inspect.Config!.Labels![RuntimeLabels.TenantId]);
            Assert.Equal(scope, inspect.Config!.Labels![RuntimeLabels.Scope]);
            Assert.Equal<IEnumerable<string>>(DockerEngineFixture.HealthCheckCommand, inspect.Config!.Healthcheck!.Test!);

            var env = inspect.Config!.Env!.Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            Assert.Equal(agentId.ToString(), env["PLATFORM_AGENT_ID"]);
            Assert.Equal(tenantId.ToString(), env["PLATFORM_TENANT_ID"]);
            Assert.Equal("http://api.platform.test:8080", env["PLATFORM_API_URL"]);
            var key = env["PLATFORM_API_KEY"];
            Assert.Matches("^pk_[abcdefghjkmnpqrstuvwxyz23456789]{12}_[A-Za-z0-9_-]{43}$", key);

            await using (var owner = fixture.Database.CreateOwnerContext())
            {
                var row = await owner.ApiKeys.AsNoTracking().SingleAsync(k => k.KeyHash == Secrets.Hash(key), ct);
                Assert.Equal(tenantId, row.TenantId);
                Assert.Equal(agent.Id, row.AgentId);
                Assert.Equal(key.Substring(3, 12), row.Prefix);
                Assert.Equal(["runtime"], row.Scopes);
                Assert.Equal($"agent {agent.Id} runtime", row.Name);
                Assert.Null(row.RevokedAt);
            }

            // A second pass changes nothing.
            Assert.Equal(new ProvisionResult(0, 0, 0, 0, 0, 0, 0), await provisioner.RunOnceAsync(ct));
            Assert.Single(await engine.ContainersAsync(scope, ct));

            // Paused in the database → container paused; active again → running.
            await DockerTestData.SetAgentStatusAsync(fixture, agentId, AgentStatus.Paused, ct);
            Assert.Equal(1, (await provisioner.RunOnceAsync(ct)).ContainersPaused);
            inspect = await engine.Client.Containers.InspectContainerAsync(agent.ContainerId!, ct);
            Assert.True(inspect.State!.Paused);

            await DockerTestData.SetAgentStatusAsync(fixture, agentId, AgentStatus.Active, ct);
            Assert.Equal(1, (await provisioner.RunOnceAsync(ct)).ContainersResumed);
            inspect = await engine.Client.Containers.InspectContainerAsync(agent.ContainerId!, ct);
            Assert.True(inspect.State!.Running);
            Assert.False(inspect.State!.Paused);

            // The agent row is deleted → its container is removed.
            await using (var owner = fixture.Database.CreateOwnerContext())
            {
                await owner.Agents.Where(a => a.Id == agentId).ExecuteDeleteAsync(ct);
            }

            Assert.Equal(1, (await provisioner.RunOnceAsync(ct)).ContainersRemoved);
            Assert.Null(await engine.TryInspectAsync(agent.ContainerId!, ct));
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    [Fact]
    public async Task A_provisioning_tenant_becomes_active_and_its_agent_gets_the_tenants_own_limits()
    {
        engine.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = engine.NewScope();
        try
        {
            var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Provisioning, ct);
            await using (var owner = fixture.Database.CreateOwnerContext())
            {
                var tenant = await owner.Tenants.SingleAsync(t => t.Id == tenantId, ct);
                tenant.Status = TenantStatus.Provisioning;
                tenant.Plan = TenantPlan.Enterprise;
                tenant.ResourceLimits = new ResourceLimits { Cpu = 0.25m, MemoryMb = 256 };
                await owner.SaveChangesAsync(ct);
            }

            var result = await engine.Provisioner(fixture, engine.Options(scope), tenantId).RunOnceAsync(ct);
            Assert.Equal(1, result.TenantsActivated);
            Assert.Equal(1, result.AgentsProvisioned);

            await using (var owner = fixture.Database.CreateOwnerContext())
            {
                Assert.Equal(TenantStatus.Active, (await owner.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, ct)).Status);
            }

            var agent = await DockerTestData.AgentAsync(fixture, agentId, ct);
            Assert.Equal(AgentStatus.Active, agent.Status);
            var inspect = await engine.Client.Containers.InspectContainerAsync(agent.ContainerId!, ct);
            Assert.Equal(256L * 1024 * 1024, inspect.HostConfig!.Memory);
            Assert.Equal(250_000_000L, inspect.HostConfig!.NanoCPUs);
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    [Fact]
    public async Task With_a_network_per_tenant_the_tenant_network_is_created_before_the_tenant_is_active()
    {
        engine.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = engine.NewScope();
        try
        {
            var tenantId = await fixture.Database.CreateTenantAsync();
            await using (var owner = fixture.Database.CreateOwnerContext())
            {
                await owner.Tenants.Where(t => t.Id == tenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TenantStatus.Provisioning), ct);
                // Only the tenant step is under test here: no agent container on that network.
                await owner.Agents.Where(a => a.TenantId == tenantId).ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AgentStatus.Paused), ct);
            }

            var options = engine.Options(scope, o => o.NetworkPerTenant = true);
            var result = await engine.Provisioner(fixture, options, tenantId).RunOnceAsync(ct);
            Assert.Equal(1, result.TenantsActivated);

            var network = await engine.Client.Networks.InspectNetworkAsync(RuntimeLabels.TenantNetwork(tenantId), ct);
            Assert.Equal(tenantId.ToString(), network.Labels![RuntimeLabels.TenantId]);
            await using (var owner = fixture.Database.CreateOwnerContext())
            {
                Assert.Equal(TenantStatus.Active, (await owner.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, ct)).Status);
            }
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    [Fact]
    public async Task A_container_that_cannot_be_created_puts_the_agent_in_error_with_an_alert()
    {
        engine.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = engine.NewScope();
        try
        {
            var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Provisioning, ct);
            var options = engine.Options(scope, o => o.AgentImage = "platform-local/no-such-image:none");
            var giveUpAtOnce = DockerEngineFixture.Loop(o => o.ProvisionAttemptsBeforeError = 1);

            var result = await engine.Provisioner(fixture, options, giveUpAtOnce, TimeProvider.System, tenantId).RunOnceAsync(ct);
            Assert.Equal(1, result.AgentsFailed);

            var agent = await DockerTestData.AgentAsync(fixture, agentId, ct);
            Assert.Equal(AgentStatus.Error, agent.Status);
            Assert.Null(agent.ContainerId);
            var alert = Assert.Single(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.AgentId == agentId), ct));
            Assert.Equal(AlertRules.ContainerCreateFailed, alert.Kind);
            Assert.Equal(tenantId, alert.TenantId);
            Assert.Null(alert.ResolvedAt);
            Assert.Contains("No such image", alert.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(await engine.ContainersAsync(scope, ct));

            await using var owner = fixture.Database.CreateOwnerContext();
            Assert.False(await owner.ApiKeys.AnyAsync(k => k.TenantId == tenantId, ct));
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    [Fact]
    public async Task Two_provisioners_at_once_never_provision_the_same_agent()
    {
        engine.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = engine.NewScope();
        try
        {
            var (tenantId, first) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Provisioning, ct);
            var agents = new List<Guid> { first };
            for (var i = 0; i < 5; i++)
            {
                agents.Add(await DockerTestData.AddAgentAsync(fixture, tenantId, AgentStatus.Provisioning, ct));
            }

            var options = engine.Options(scope);
            var results = await Task.WhenAll(
                engine.Provisioner(fixture, options, tenantId).RunOnceAsync(ct),
                engine.Provisioner(fixture, options, tenantId).RunOnceAsync(ct));

            Assert.Equal(agents.Count, results.Sum(r => r.AgentsProvisioned));
            Assert.Equal(0, results.Sum(r => r.AgentsFailed + r.ContainersRemoved));
            var containers = await engine.ContainersAsync(scope, ct);
            Assert.Equal(agents.Count, containers.Count);
            Assert.Equal(agents.Order(), containers.Select(c => Guid.Parse(c.Labels![RuntimeLabels.AgentId])).Order());

            await using var owner = fixture.Database.CreateOwnerContext();
            Assert.Equal(agents.Count, await owner.ApiKeys.CountAsync(k => k.TenantId == tenantId, ct));
            var rows = await owner.Agents.AsNoTracking().Where(a => a.TenantId == tenantId).ToListAsync(ct);
            Assert.All(rows, a => Assert.Equal(AgentStatus.Active, a.Status));
            Assert.Equal(containers.Select(c => c.ID).Order(), rows.Select(a => a.ContainerId!).Order());
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }
}
