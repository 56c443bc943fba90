using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Platform.Runtime.Swarm;

/// <summary>
/// The life of an agent's service: created with one replica, updated with a new spec (and a new task), scaled to 0
/// and back to 1, removed. Each call returns once the manager reports the outcome, within a bounded wait.
/// </summary>
internal sealed class SwarmServices(SwarmManager manager, SwarmNetworks networks, SwarmTaskWaiter waiter, ILogger logger)
{
    private RuntimeOptions Options => manager.Options;

    private TimeSpan RequestBudget => TimeSpan.FromSeconds(Options.RequestTimeoutSeconds);

    /// <summary>
    /// Until a task of the service runs: a task with a health check only runs once healthy, which takes a check
    /// interval, or a few when the first checks fail.
    /// </summary>
    private TimeSpan RunningBudget => RequestBudget + (Options.HealthCheck is { Length: > 0 } check && check[0] != "NONE"
        ? TimeSpan.FromSeconds((Options.HealthCheckIntervalSeconds + Options.HealthCheckTimeoutSeconds) * Math.Max(1, Options.HealthCheckRetries))
        : TimeSpan.Zero);

    /// <summary>
    /// Creates the service (a leftover of the same agent in this scope goes first) and returns once its task's
    /// container is started. A task that fails to start removes the service again and throws its error; a task still
    /// being prepared when the wait ends (e.g. an image still being pulled) is left to the manager.
    /// </summary>
    public async Task<string> CreateAsync(AgentWorkloadSpec spec, CancellationToken cancellationToken)
    {
        if (Options.NetworkPerTenant)
        {
            await networks.EnsureAsync(spec.TenantId, cancellationToken);
        }

        if (await manager.FindServiceAsync(RuntimeLabels.WorkloadName(spec.AgentId), cancellationToken) is { } leftover)
        {
            await RemoveAsync(leftover.ID, cancellationToken);
        }

        var created = await manager.CallAsync(() => manager.Client.Swarm.CreateServiceAsync(
            new ServiceCreateParameters { Service = SwarmServiceSpec.Build(spec, Options, 0) }, cancellationToken), cancellationToken);
        var id = created.ID ?? throw new RuntimeOperationException(RuntimeErrorKind.Other, $"The manager at {manager.Endpoint} created a service without an id.");
        try
        {
            if (!await waiter.WaitAsync(id, TaskSnapshot.Empty, newTask: true, SwarmTaskStates.IsStarted, RequestBudget, cancellationToken))
            {
                logger.LogWarning("The agent service {ServiceId} was not started within {Seconds} s ({Task}); the manager keeps trying",
                    id, RequestBudget.TotalSeconds, await waiter.LatestAsync(id, cancellationToken));
            }
        }
        catch (RuntimeOperationException)
        {
            await RemoveQuietlyAsync(id);
            throw;
        }

        return id;
    }

    /// <summary>
    /// Puts the new spec on the service (one replica, a forced new task even when nothing else changed) and returns
    /// once the new task's container is started; the service id stays. A service that is gone is created anew.
    /// </summary>
    public async Task<string> RecreateAsync(string workloadId, AgentWorkloadSpec spec, CancellationToken cancellationToken)
    {
        var service = await manager.FindServiceAsync(workloadId, cancellationToken);
        if (service is null)
        {
            return await CreateAsync(spec, cancellationToken);
        }

        if (!SwarmManager.TryLabel(service.Spec?.Labels, RuntimeLabels.AgentId, out var agentId) || agentId != spec.AgentId)
        {
            throw new RuntimeOperationException(RuntimeErrorKind.Invalid, $"The agent service {workloadId} is not agent {spec.AgentId}'s.");
        }

        if (Options.NetworkPerTenant)
        {
            await networks.EnsureAsync(spec.TenantId, cancellationToken);
        }

        var before = await waiter.SnapshotAsync(service.ID, cancellationToken);
        await manager.UpdateAsync(service.ID, current =>
        {
            current.Spec = SwarmServiceSpec.Build(spec, Options, (current.Spec?.TaskTemplate?.ForceUpdate ?? 0) + 1);
            return true;
        }, cancellationToken);

        if (!await waiter.WaitAsync(service.ID, before, newTask: true, SwarmTaskStates.IsStarted, RequestBudget, cancellationToken))
        {
            logger.LogWarning("The new task of agent service {ServiceId} was not started within {Seconds} s ({Task}); the manager keeps trying",
                service.ID, RequestBudget.TotalSeconds, await waiter.LatestAsync(service.ID, cancellationToken));
        }

        return service.ID;
    }

    /// <summary>
    /// Scales the service to 0 and waits until its task has ended (SIGTERM, then SIGKILL after the stop grace
    /// period). A task on a node the manager cannot reach may stay "running" in its books: after the bounded wait the
    /// call returns anyway, since 0 replicas is what the manager will converge to.
    /// </summary>
    public async Task ScaleToZeroAsync(string workloadId, CancellationToken cancellationToken)
    {
        var service = await manager.UpdateAsync(workloadId, current =>
        {
            if (current.Spec?.Mode?.Replicated is not { } replicated || replicated.Replicas == 0)
            {
                return false;
            }

            replicated.Replicas = 0;
            return true;
        }, cancellationToken);

        var budget = TimeSpan.FromSeconds(Options.StopGracePeriodSeconds) + RequestBudget;
        if (!await waiter.WaitForNoTaskAsync(service.ID, budget, cancellationToken))
        {
            logger.LogWarning("A task of agent service {ServiceId} still runs {Seconds} s after scaling to 0 ({Task})",
                service.ID, budget.TotalSeconds, await waiter.LatestAsync(service.ID, cancellationToken));
        }
    }

    /// <summary>
    /// Scales the service to 1 (unless it is) and returns once its task runs (healthy, with a health check). A task
    /// that fails to start throws its error; so does a wait that ends without a running task.
    /// </summary>
    public async Task WakeAsync(string workloadId, CancellationToken cancellationToken)
    {
        var service = await manager.GetServiceAsync(workloadId, cancellationToken);
        var tasks = await manager.TasksAsync(service.ID, cancellationToken);
        var before = TaskSnapshot.Of(tasks);
        if (service.Spec?.Mode?.Replicated?.Replicas > 0 && tasks.Any(SwarmTaskStates.IsRunning))
        {
            return;
        }

        await manager.UpdateAsync(service.ID, current =>
        {
            if (current.Spec?.Mode?.Replicated is not { } replicated)
            {
                throw new RuntimeOperationException(RuntimeErrorKind.Invalid, $"The service {workloadId} is not a replicated service.");
            }

            if (replicated.Replicas > 0)
            {
                return false;
            }

            replicated.Replicas = 1;
            return true;
        }, cancellationToken);

        if (!await waiter.WaitAsync(service.ID, before, newTask: false, SwarmTaskStates.IsRunning, RunningBudget, cancellationToken))
        {
            throw new RuntimeOperationException(RuntimeErrorKind.Other,
                $"The agent service {service.ID} was not running {RunningBudget.TotalSeconds:0} s after waking: {await waiter.LatestAsync(service.ID, cancellationToken)}");
        }
    }

    /// <summary>Removes the service; the manager stops its task (after the stop grace period at most) on its own.</summary>
    public async Task<bool> RemoveAsync(string workloadId, CancellationToken cancellationToken)
    {
        if (await manager.FindServiceAsync(workloadId, cancellationToken) is not { } service)
        {
            return false;
        }

        try
        {
            await manager.CallAsync(() => manager.Client.Swarm.RemoveServiceAsync(service.ID, cancellationToken), cancellationToken);
            return true;
        }
        catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.NotFound)
        {
            return false;
        }
    }

    /// <summary>Best-effort clean-up after a failed start: never throws, and ignores the caller's cancellation.</summary>
    private async Task RemoveQuietlyAsync(string serviceId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(RequestBudget);
            await RemoveAsync(serviceId, timeout.Token);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not remove agent service {ServiceId} after its task failed to start", serviceId);
        }
    }
}
