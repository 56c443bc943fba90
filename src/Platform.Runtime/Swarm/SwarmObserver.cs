using System.Collections.Concurrent;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Platform.Runtime.Docker;

namespace Platform.Runtime.Swarm;

/// <summary>
/// Observations of agent services: state, restarts and exit code from the service's tasks, as the manager reports
/// them for any node. Health, the OOM flag and a CPU/memory sample come from the task's container, which only the
/// engine that runs it can show: this is done for tasks on the manager's own node (all of them on a single-node
/// swarm). For tasks on other nodes health is what the task state implies (a task with a health check is only
/// running once healthy, and is replaced when it turns unhealthy), OOM is false and CPU/memory are 0.
/// </summary>
internal sealed class SwarmObserver(SwarmManager manager, ILogger logger)
{
    private readonly ConcurrentDictionary<string, CpuReading> _cpu = new();

    public async Task<IReadOnlyList<WorkloadObservation>> ObserveAsync(
        IReadOnlyCollection<AgentWorkload> workloads, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var localNode = await manager.LocalNodeIdAsync(cancellationToken);
        var observations = new ConcurrentBag<WorkloadObservation>();
        await Parallel.ForEachAsync(
            workloads,
            new ParallelOptions { MaxDegreeOfParallelism = manager.Options.MaxParallelism, CancellationToken = cancellationToken },
            async (workload, token) =>
            {
                if (await ObserveOneAsync(workload.Id, localNode, now, token) is { } observation)
                {
                    observations.Add(observation);
                }
            });
        Forget(now);
        return [.. observations];
    }

    private async Task<WorkloadObservation?> ObserveOneAsync(string serviceId, string? localNode, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var service = await manager.FindServiceAsync(serviceId, cancellationToken);
        if (service?.Spec is not { } spec
            || !SwarmManager.TryLabel(spec.Labels, RuntimeLabels.AgentId, out var agentId)
            || !SwarmManager.TryLabel(spec.Labels, RuntimeLabels.TenantId, out var tenantId))
        {
            return null;
        }

        IReadOnlyList<TaskResponse> tasks;
        try
        {
            tasks = await manager.TasksAsync(service.ID, cancellationToken);
        }
        catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.NotFound)
        {
            return null; // removed since it was inspected
        }

        var replicas = spec.Mode?.Replicated?.Replicas ?? 0;
        var state = SwarmTaskStates.Derive(replicas, tasks);
        var current = replicas > 0 ? SwarmTaskStates.Current(tasks) : null;
        var latest = SwarmTaskStates.Latest(tasks);
        var exited = state == WorkloadState.Exited ? latest : null;
        var limitBytes = spec.TaskTemplate?.Resources?.Limits?.MemoryBytes;
        var sample = new Sample(
            SwarmServiceSpec.HasHealthCheck(spec) ? ImpliedHealth(current) : null,
            false,
            0,
            0,
            limitBytes > 0 ? limitBytes / 1048576.0 : null);

        if (current is not null && current.NodeID == localNode && current.Status?.ContainerStatus?.ContainerID is { Length: > 0 } containerId
            && !SwarmTaskStates.Ended(current))
        {
            sample = await SampleAsync(containerId, current.Status.State == TaskState.Running, sample, now, cancellationToken);
        }

        if (exited is not null && exited.NodeID == localNode && exited.Status?.ContainerStatus?.ContainerID is { Length: > 0 } exitedContainer)
        {
            sample = sample with { OomKilled = (await InspectAsync(exitedContainer, cancellationToken))?.State?.OOMKilled ?? false };
        }

        return new WorkloadObservation(
            service.ID,
            agentId,
            tenantId,
            state,
            sample.Health,
            exited?.Status?.ContainerStatus?.ExitCode ?? 0,
            sample.OomKilled,
            SwarmTaskStates.RestartCount(tasks),
            SwarmManager.ToUtc(service.CreatedAt),
            sample.CpuPercent,
            sample.MemoryMb,
            sample.MemoryLimitMb,
            now);
    }

    private static string? ImpliedHealth(TaskResponse? task) => task?.Status?.State switch
    {
        TaskState.Running => "healthy",
        TaskState.Starting => "starting",
        _ => null,
    };

    /// <summary>The task container's own health, and, while it runs, a one-shot stats sample.</summary>
    private async Task<Sample> SampleAsync(string containerId, bool running, Sample sample, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var inspect = await InspectAsync(containerId, cancellationToken);
        if (inspect?.State?.Health?.Status is { Length: > 0 } health && health != "none" && sample.Health is not null)
        {
            sample = sample with { Health = health };
        }

        if (!running || inspect?.State?.Running != true)
        {
            return sample;
        }

        var stats = await ContainerStats.SampleAsync(manager, containerId, logger, cancellationToken);
        if (stats is null)
        {
            return sample;
        }

        return sample with
        {
            CpuPercent = CpuPercent(containerId, stats, now),
            MemoryMb = DockerStats.MemoryUsedBytes(stats.MemoryStats) / 1048576.0,
            MemoryLimitMb = sample.MemoryLimitMb ?? (stats.MemoryStats?.Limit is > 0 and { } limit ? limit / 1048576.0 : null),
        };
    }

    private async Task<ContainerInspectResponse?> InspectAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            return await manager.CallAsync(() => manager.Client.Containers.InspectContainerAsync(containerId, cancellationToken), cancellationToken);
        }
        catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.NotFound)
        {
            return null; // the manager removed the task's container meanwhile
        }
    }

    /// <summary>CPU % since this container's previous sample (a one-shot sample carries no earlier figures of its own).</summary>
    private double CpuPercent(string containerId, ContainerStatsResponse stats, DateTimeOffset now)
    {
        if (stats.CPUStats is not { CPUUsage: { } usage, SystemUsage: { } system } cpu)
        {
            return 0;
        }

        var reading = new CpuReading(usage.TotalUsage, system, now);
        var previous = _cpu.TryGetValue(containerId, out var stored) ? stored : null;
        _cpu[containerId] = reading;
        return DockerStats.CpuPercent(previous?.Total, previous?.System, reading.Total, reading.System, cpu);
    }

    /// <summary>Drops the readings of containers that were not sampled for a while (their tasks are gone).</summary>
    private void Forget(DateTimeOffset now)
    {
        foreach (var (id, reading) in _cpu)
        {
            if (now - reading.At > TimeSpan.FromHours(1))
            {
                _cpu.TryRemove(id, out _);
            }
        }
    }

    private sealed record CpuReading(ulong Total, ulong System, DateTimeOffset At);

    private sealed record Sample(string? Health, bool OomKilled, double CpuPercent, double MemoryMb, double? MemoryLimitMb);
}
