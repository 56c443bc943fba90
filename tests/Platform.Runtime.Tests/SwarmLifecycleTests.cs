using Docker.DotNet.Models;

namespace Platform.Runtime.Tests;

/// <summary>An agent's service from creation to removal: replicas, labels, limits, environment, hibernation, restart.</summary>
public sealed class SwarmLifecycleTests(SwarmFixture swarm)
{
    [Fact(Timeout = 120_000)]
    public async Task Create_runs_one_replica_with_the_agents_labels_limits_and_environment()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        using var runtime = swarm.Runtime(scope);
        var spec = SwarmFixture.Spec(Guid.NewGuid(), "created", cpu: 0.5m, memoryMb: 64);
        try
        {
            var id = await runtime.CreateAsync(spec, ct);

            var service = await swarm.Client.Swarm.InspectServiceAsync(id, ct);
            Assert.Equal(id, service.ID);
            Assert.Equal(RuntimeLabels.WorkloadName(spec.AgentId), service.Spec!.Name);
            Assert.Equal(1UL, service.Spec.Mode!.Replicated!.Replicas);
            var expectedLabels = new Dictionary<string, string>
            {
                [RuntimeLabels.AgentId] = spec.AgentId.ToString(),
                [RuntimeLabels.TenantId] = spec.TenantId.ToString(),
                [RuntimeLabels.Scope] = scope,
            };
            Assert.Equal(expectedLabels, service.Spec.Labels);
            var task = service.Spec.TaskTemplate!;
            Assert.Equal(500_000_000L, task.Resources!.Limits!.NanoCPUs);
            Assert.Equal(64L * 1024 * 1024, task.Resources.Limits.MemoryBytes);
            Assert.Equal("any", task.RestartPolicy!.Condition);
            Assert.Equal(TimeSpan.FromSeconds(5), task.ContainerSpec!.StopGracePeriod);
            Assert.Contains("GREETING=created", task.ContainerSpec.Env!);
            Assert.Null(task.ContainerSpec.Healthcheck);
            Assert.Null(task.Networks); // Runtime:NetworkMode=none

            var containerId = await swarm.TaskContainerAsync(id, ct);
            var container = await swarm.Client.Containers.InspectContainerAsync(containerId, ct);
            Assert.True(container.State!.Running);
            foreach (var (key, value) in expectedLabels)
            {
                Assert.Equal(value, container.Config!.Labels![key]);
            }

            Assert.Equal(64L * 1024 * 1024, container.HostConfig!.Memory);
            Assert.Equal(500_000_000L, container.HostConfig.NanoCPUs);
            Assert.Contains("GREETING=created", container.Config!.Env!);
            await SwarmFixture.WaitForAsync(async () => Assert.Single(await runtime.ListAsync(ct), w => w.Id == id).State == WorkloadState.Running,
                "the service listed as running", ct);
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Create_replaces_a_leftover_of_the_same_agent_and_remove_deletes_the_service()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        using var runtime = swarm.Runtime(scope);
        var spec = SwarmFixture.Spec(Guid.NewGuid(), "first");
        try
        {
            var first = await runtime.CreateAsync(spec, ct);
            var second = await runtime.CreateAsync(spec with { Environment = new Dictionary<string, string> { ["GREETING"] = "second" } }, ct);

            Assert.NotEqual(first, second);
            var listed = Assert.Single(await runtime.ListAsync(ct));
            Assert.Equal(second, listed.Id);
            Assert.Equal(spec.AgentId, listed.AgentId);
            Assert.Equal(spec.TenantId, listed.TenantId);

            Assert.True(await runtime.RemoveAsync(second, ct));
            Assert.False(await runtime.RemoveAsync(second, ct));
            Assert.Empty(await runtime.ListAsync(ct));
            await SwarmFixture.WaitForAsync(async () => (await swarm.TaskContainersAsync(second, ct)).Count == 0, "the task to stop", ct);
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Freeze_and_stop_scale_to_zero_and_wake_runs_a_new_task()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        using var runtime = swarm.Runtime(scope);
        try
        {
            Assert.False(runtime.CanFreeze);
            var id = await runtime.CreateAsync(SwarmFixture.Spec(Guid.NewGuid(), "sleepy"), ct);
            var before = await swarm.TaskContainerAsync(id, ct);

            await runtime.FreezeAsync(id, ct);
            Assert.Equal(0UL, (await swarm.Client.Swarm.InspectServiceAsync(id, ct)).Spec!.Mode!.Replicated!.Replicas);
            Assert.Empty(await swarm.TaskContainersAsync(id, ct));
            Assert.Equal(WorkloadState.Stopped, Assert.Single(await runtime.ListAsync(ct)).State);

            await runtime.FreezeAsync(id, ct);
            await runtime.StopAsync(id, ct);
            Assert.Empty(await swarm.TaskContainersAsync(id, ct));

            await runtime.WakeAsync(id, ct);
            Assert.Equal(WorkloadState.Running, Assert.Single(await runtime.ListAsync(ct)).State);
            var after = Assert.Single(await swarm.TaskContainersAsync(id, ct));
            Assert.NotEqual(before, after.ID);

            await runtime.WakeAsync(id, ct); // running: nothing to do
            Assert.Equal(after.ID, Assert.Single(await swarm.TaskContainersAsync(id, ct)).ID);
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Recreate_starts_a_new_task_with_the_new_environment_and_keeps_the_service_id()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        using var runtime = swarm.Runtime(scope);
        var spec = SwarmFixture.Spec(Guid.NewGuid(), "old-key");
        try
        {
            var id = await runtime.CreateAsync(spec, ct);
            var before = await swarm.TaskContainerAsync(id, ct);

            var rotated = SwarmFixture.Spec(spec.TenantId, "new-key", spec.AgentId);
            Assert.Equal(id, await runtime.RecreateAsync(id, rotated, ct));

            var containerId = await swarm.TaskContainerAsync(id, ct);
            Assert.NotEqual(before, containerId);
            var container = await swarm.Client.Containers.InspectContainerAsync(containerId, ct);
            Assert.Contains("PLATFORM_API_KEY=secret-new-key", container.Config!.Env!);
            Assert.DoesNotContain("PLATFORM_API_KEY=secret-old-key", container.Config.Env!);

            // A hibernated agent that is restarted runs again.
            await runtime.StopAsync(id, ct);
            Assert.Equal(id, await runtime.RecreateAsync(id, SwarmFixture.Spec(spec.TenantId, "newer-key", spec.AgentId), ct));
            var woken = await swarm.Client.Containers.InspectContainerAsync(await swarm.TaskContainerAsync(id, ct), ct);
            Assert.Contains("GREETING=newer-key", woken.Config!.Env!);
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_task_that_cannot_start_is_an_operation_error_with_the_tasks_reason()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        using var runtime = swarm.Runtime(scope);
        using var missingImage = swarm.Runtime(scope, o => o.AgentImage = "platform-local/no-such-image:1");
        try
        {
            var created = await Assert.ThrowsAsync<RuntimeOperationException>(() => missingImage.CreateAsync(SwarmFixture.Spec(Guid.NewGuid(), "never"), ct));
            Assert.Contains("No such image", created.Message, StringComparison.Ordinal);
            Assert.Empty(await runtime.ListAsync(ct)); // the service that could not start is gone again

            // An operator points a hibernated agent's service at an image that is not there: waking it says why it cannot.
            var id = await runtime.CreateAsync(SwarmFixture.Spec(Guid.NewGuid(), "broken"), ct);
            await runtime.StopAsync(id, ct);
            var service = await swarm.Client.Swarm.InspectServiceAsync(id, ct);
            service.Spec!.TaskTemplate!.ContainerSpec!.Image = "platform-local/no-such-image:1";
            await swarm.Client.Swarm.UpdateServiceAsync(id, new ServiceUpdateParameters { Service = service.Spec, Version = (long)service.Version!.Index!.Value }, ct);

            var woken = await Assert.ThrowsAsync<RuntimeOperationException>(() => runtime.WakeAsync(id, ct));
            Assert.Contains("No such image", woken.Message, StringComparison.Ordinal);
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }
}
