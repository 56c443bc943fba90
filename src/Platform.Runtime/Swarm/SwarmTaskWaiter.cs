using System.Diagnostics;
using Docker.DotNet.Models;

namespace Platform.Runtime.Swarm;

/// <summary>Polls a service's tasks until the manager reports what an operation waits for.</summary>
internal sealed class SwarmTaskWaiter(SwarmManager manager)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The ids of the service's tasks now, and of those that have already ended.</summary>
    public async Task<TaskSnapshot> SnapshotAsync(string serviceId, CancellationToken cancellationToken) =>
        TaskSnapshot.Of(await manager.TasksAsync(serviceId, cancellationToken));

    /// <summary>
    /// Waits until a task the manager wants running satisfies <paramref name="goal"/> (only tasks created after
    /// <paramref name="before"/> count when <paramref name="newTask"/>); true then, false after
    /// <paramref name="budget"/>. A task that had not ended before and then fails or is rejected throws its error.
    /// </summary>
    public async Task<bool> WaitAsync(
        string serviceId, TaskSnapshot before, bool newTask, Func<TaskResponse, bool> goal, TimeSpan budget, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var tasks = await manager.TasksAsync(serviceId, cancellationToken);
            if (tasks.Any(t => goal(t) && (!newTask || !before.All.Contains(t.ID))))
            {
                return true;
            }

            if (SwarmTaskStates.Latest(tasks.Where(t => SwarmTaskStates.FailedToStart(t) && !before.Ended.Contains(t.ID))) is { } failed)
            {
                throw new RuntimeOperationException(RuntimeErrorKind.Other,
                    $"The agent service {serviceId} did not start: {SwarmTaskStates.Describe(failed)}");
            }

            if (watch.Elapsed >= budget)
            {
                return false;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>Waits until none of the service's tasks is still up; false after <paramref name="budget"/>.</summary>
    public async Task<bool> WaitForNoTaskAsync(string serviceId, TimeSpan budget, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var tasks = await manager.TasksAsync(serviceId, cancellationToken);
            if (tasks.All(SwarmTaskStates.Ended))
            {
                return true;
            }

            if (watch.Elapsed >= budget)
            {
                return false;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>A description of where the service's latest task stands, for a timeout message.</summary>
    public async Task<string> LatestAsync(string serviceId, CancellationToken cancellationToken) =>
        SwarmTaskStates.Latest(await manager.TasksAsync(serviceId, cancellationToken)) is { } latest
            ? SwarmTaskStates.Describe(latest)
            : "no task yet";
}

internal sealed record TaskSnapshot(IReadOnlySet<string> All, IReadOnlySet<string> Ended)
{
    public static readonly TaskSnapshot Empty = new(new HashSet<string>(), new HashSet<string>());

    public static TaskSnapshot Of(IEnumerable<TaskResponse> tasks)
    {
        var list = tasks.ToList();
        return new TaskSnapshot(list.Select(t => t.ID).ToHashSet(), list.Where(SwarmTaskStates.Ended).Select(t => t.ID).ToHashSet());
    }
}
