using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Tests.Support;
using Platform.Worker.Containers;
using Platform.Worker.Hibernation;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Platform.Runtime.Tests;

/// <summary>
/// The worker over the swarm backend, as over an engine: the provisioner gives a provisioning agent a service, the poller
/// records it without alerts, the hibernation sweep scales a quiet agent to 0 (a swarm has no frozen stage) and wakes
/// it again on activity, with one audit row per move.
/// </summary>
public sealed class SwarmWorkerTests(SwarmFixture swarm, SwarmWorkerTests.Database database) : IClassFixture<SwarmWorkerTests.Database>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Agents_are_provisioned_polled_hibernated_to_zero_and_woken_as_services()
    {
        swarm.Require();
        var scope = swarm.NewScope();
        try
        {
            var options = swarm.Options(scope);
            var runtime = new Swarm.SwarmRuntime(options, NullLogger<Swarm.SwarmRuntime>.Instance);
            var tenantId = await database.Platform.CreateTenantAsync();
            await using (var owner = database.Platform.CreateOwnerContext())
            {
                await owner.AgentChannels.Where(c => c.TenantId == tenantId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Enabled, false), Ct);
            }

            var loop = new RuntimeLoopOptions { PollIntervalSeconds = 1, ProvisionIntervalSeconds = 1 };
            var provisioner = new ContainerProvisioner(runtime, MsOptions.Create(options), MsOptions.Create(loop), database.AppOptions,
                new AlertStore(TimeProvider.System), NullLogger<ContainerProvisioner>.Instance, TimeProvider.System) { OnlyTenants = [tenantId] };
            Assert.Equal(1, (await provisioner.RunOnceAsync(Ct)).AgentsProvisioned);
            var agent = await AgentAsync(tenantId);
            Assert.Equal(AgentStatus.Active, agent.Status);
            // Provisioning returns once the task has started; running follows when the manager next reports it.
            await SwarmFixture.WaitForAsync(async () => (await runtime.ListAsync(Ct)).Single(w => w.Id == agent.ContainerId).State == WorkloadState.Running,
                "running", Ct);

            var poller = new DockerPoller(runtime, MsOptions.Create(options), MsOptions.Create(loop), database.AppOptions,
                new AlertStore(TimeProvider.System), NullLogger<DockerPoller>.Instance, TimeProvider.System);
            var poll = await poller.PollOnceAsync(Ct);
            Assert.Equal((1, 1, 0), (poll.Containers, poll.Samples, poll.AlertsOpened));

            await using (var owner = database.Platform.CreateOwnerContext())
            {
                await owner.Agents.Where(a => a.Id == agent.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.LastActiveAt, DateTimeOffset.UtcNow.AddHours(-1)), Ct);
            }

            var sweep = new HibernationSweep(runtime, database.AppOptions, MsOptions.Create(new HibernationOptions { HibernateAfter = TimeSpan.FromMinutes(1) }),
                TimeProvider.System, NullLogger<HibernationSweep>.Instance) { OnlyTenants = [tenantId] };
            Assert.Equal(new HibernationResult(1, 0, 0, 0), await sweep.SweepOnceAsync(Ct));
            agent = await AgentAsync(tenantId);
            Assert.Equal((AgentStatus.Idle, HibernationStage.Stopped), (agent.Status, agent.IdleStage));
            Assert.Equal(WorkloadState.Stopped, (await runtime.ListAsync(Ct)).Single(w => w.Id == agent.ContainerId).State);
            Assert.Equal(0, (await poller.PollOnceAsync(Ct)).AlertsOpened);

            await using (var owner = database.Platform.CreateOwnerContext())
            {
                await owner.Agents.Where(a => a.Id == agent.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.LastActiveAt, DateTimeOffset.UtcNow), Ct);
            }

            Assert.Equal(new HibernationResult(0, 0, 1, 0), await sweep.SweepOnceAsync(Ct));
            Assert.Equal(AgentStatus.Active, (await AgentAsync(tenantId)).Status);
            Assert.Equal(WorkloadState.Running, (await runtime.ListAsync(Ct)).Single(w => w.Id == agent.ContainerId).State);
            await using var check = database.Platform.CreateOwnerContext();
            var actions = await check.AuditLogs.AsNoTracking().Where(a => a.TargetId == agent.Id).Select(a => a.Action).ToListAsync(Ct);
            Assert.Equal(["agent.hibernated", "agent.woken"], actions.Order(StringComparer.Ordinal));
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }

    private async Task<Agent> AgentAsync(Guid tenantId)
    {
        await using var owner = database.Platform.CreateOwnerContext();
        return await owner.Agents.AsNoTracking().SingleAsync(a => a.TenantId == tenantId, Ct);
    }

    /// <summary>A migrated PostgreSQL for the worker's rows, started only by the tests that need one.</summary>
    public sealed class Database : IAsyncLifetime
    {
        private LocalPostgres? _postgres;

        public PlatformDatabase Platform { get; private set; } = null!;

        public DbContextOptions<PlatformDbContext> AppOptions { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            _postgres = await LocalPostgres.StartAsync();
            Platform = await PlatformDatabase.CreateAsync(_postgres, "platform");
            var options = new DbContextOptionsBuilder<PlatformDbContext>();
            PlatformDbContext.Configure(options, Platform.AppConnectionString);
            AppOptions = options.Options;
        }

        public async ValueTask DisposeAsync()
        {
            if (_postgres is not null)
            {
                await _postgres.DisposeAsync();
            }
        }
    }
}
