using Docker.DotNet.Models;

namespace Platform.Runtime.Tests;

/// <summary>What listing and observing agent services report: state, health, restarts, limits and samples.</summary>
public sealed class SwarmObservationTests(SwarmFixture swarm)
{
    [Fact(Timeout = 120_000)]
    public async Task List_and_observe_report_state_limits_and_a_sample_of_the_task_container()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        using var runtime = swarm.Runtime(scope);
        var spec = SwarmFixture.Spec(Guid.NewGuid(), "observed", memoryMb: 48);
        try
        {
            var id = await runtime.CreateAsync(spec, ct);
            await SwarmFixture.WaitForAsync(async () => (await runtime.ListAsync(ct)).Single().State == WorkloadState.Running, "running", ct);
            var listed = Assert.Single(await runtime.ListAsync(ct));
            Assert.Equal((id, spec.AgentId, spec.TenantId), (listed.Id, listed.AgentId, listed.TenantId));
            Assert.InRange(listed.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddMinutes(1));

            var now = DateTimeOffset.UtcNow;
            await runtime.ObserveAsync([listed], now, ct);
            await Task.Delay(300, ct);
            var observation = Assert.Single(await runtime.ObserveAsync([listed], now.AddSeconds(1), ct));
            Assert.Equal(id, observation.WorkloadId);
            Assert.Equal((spec.AgentId, spec.TenantId), (observation.AgentId, observation.TenantId));
            Assert.Equal(WorkloadState.Running, observation.State);
            Assert.Null(observation.Health); // no health check configured
            Assert.Equal(0, observation.RestartCount);
            Assert.Equal(48, observation.MemoryLimitMb);
            Assert.InRange(observation.MemoryMb, 0.01, 48);
            Assert.InRange(observation.CpuPercent, 0, 400);
            Assert.Equal(now.AddSeconds(1), observation.ObservedAt);

            await runtime.StopAsync(id, ct);
            Assert.Equal(WorkloadState.Stopped, Assert.Single(await runtime.ListAsync(ct)).State);
            var stopped = Assert.Single(await runtime.ObserveAsync([listed], now, ct));
            Assert.Equal(WorkloadState.Stopped, stopped.State);
            Assert.Equal(0, stopped.MemoryMb);

            await runtime.RemoveAsync(id, ct);
            Assert.Empty(await runtime.ObserveAsync([listed], now, ct)); // gone since it was listed
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_failed_task_counts_as_a_restart_and_the_service_restarts_through_a_new_task()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        using var runtime = swarm.Runtime(scope);
        try
        {
            var id = await runtime.CreateAsync(SwarmFixture.Spec(Guid.NewGuid(), "crashy"), ct);
            var workload = Assert.Single(await runtime.ListAsync(ct));
            var first = await swarm.TaskContainerAsync(id, ct);

            await swarm.Client.Containers.KillContainerAsync(first, new ContainerKillParameters { Signal = "KILL" }, ct);

            // The manager waits its restart delay before the replacement task starts: the agent is restarting meanwhile.
            var seen = new HashSet<WorkloadState>();
            await SwarmFixture.WaitForAsync(async () =>
            {
                var observation = Assert.Single(await runtime.ObserveAsync([workload], DateTimeOffset.UtcNow, ct));
                seen.Add(observation.State);
                return observation.RestartCount == 1 && observation.State == WorkloadState.Running;
            }, "a restarted task", ct);
            Assert.Contains(WorkloadState.Restarting, seen);
            Assert.NotEqual(first, await swarm.TaskContainerAsync(id, ct));

            var task = (await swarm.Client.Tasks.ListAsync(new TasksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [id] = true } },
            }, ct)).Single(t => t.Status?.ContainerStatus?.ContainerID == first);
            Assert.Equal(TaskState.Failed, task.Status!.State);
            Assert.Equal(137, task.Status.ContainerStatus!.ExitCode);
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Health_comes_from_the_task_container_and_an_unhealthy_task_is_replaced()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        using var runtime = swarm.Runtime(scope, o => o.HealthCheck = SwarmFixture.HealthCheckCommand);
        try
        {
            // With a health check the manager reports the task running only once it is healthy: waking waits for that.
            var id = await runtime.CreateAsync(SwarmFixture.Spec(Guid.NewGuid(), "healthy"), ct);
            await runtime.WakeAsync(id, ct);
            var workload = Assert.Single(await runtime.ListAsync(ct));
            var observation = Assert.Single(await runtime.ObserveAsync([workload], DateTimeOffset.UtcNow, ct));
            Assert.Equal((WorkloadState.Running, "healthy", 0), (observation.State, observation.Health, observation.RestartCount));
            var service = await swarm.Client.Swarm.InspectServiceAsync(id, ct);
            Assert.Equal(SwarmFixture.HealthCheckCommand, service.Spec!.TaskTemplate!.ContainerSpec!.Healthcheck!.Test);

            var first = await swarm.TaskContainerAsync(id, ct);
            await swarm.ExecAsync(first, ct, "rm", "/tmp/ok");

            await SwarmFixture.WaitForAsync(async () =>
            {
                var current = Assert.Single(await runtime.ObserveAsync([workload], DateTimeOffset.UtcNow, ct));
                return current.RestartCount == 1 && current is { State: WorkloadState.Running, Health: "healthy" };
            }, "the unhealthy task replaced by a healthy one", ct);
            Assert.NotEqual(first, await swarm.TaskContainerAsync(id, ct));
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }
}
