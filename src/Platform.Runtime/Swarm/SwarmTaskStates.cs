using Docker.DotNet.Models;

namespace Platform.Runtime.Swarm;

/// <summary>
/// What a service's replicas and tasks say about the agent, in <see cref="WorkloadState"/> words. The manager keeps a
/// few ended tasks per replica slot (its task history) beside the current one; these are read from that list.
/// </summary>
internal static class SwarmTaskStates
{
    /// <summary>The task ended on its own (exited, failed to start, was refused by every node, lost its node).</summary>
    public static bool EndedByItself(TaskResponse task) =>
        task.Status?.State is TaskState.Complete or TaskState.Failed or TaskState.Rejected or TaskState.Orphaned;

    /// <summary>The task will not run again (it ended on its own, or the manager shut it down).</summary>
    public static bool Ended(TaskResponse task) =>
        EndedByItself(task) || task.Status?.State is TaskState.Shutdown or TaskState.Remove;

    public static bool FailedToStart(TaskResponse task) => task.Status?.State is TaskState.Failed or TaskState.Rejected;

    /// <summary>The manager wants the task to run (or to run after its restart delay), and it has not ended.</summary>
    public static bool Wanted(TaskResponse task) =>
        task.DesiredState is TaskState.Running or TaskState.Ready && !Ended(task);

    public static bool IsRunning(TaskResponse task) => task.DesiredState == TaskState.Running && task.Status?.State == TaskState.Running;

    /// <summary>Its container has been started (a task with a health check stays here until the first healthy check).</summary>
    public static bool IsStarted(TaskResponse task) =>
        task.DesiredState == TaskState.Running && task.Status?.State is TaskState.Starting or TaskState.Running;

    public static TaskResponse? Latest(IEnumerable<TaskResponse> tasks) =>
        tasks.OrderByDescending(t => t.CreatedAt ?? DateTime.MinValue).ThenByDescending(t => t.ID, StringComparer.Ordinal).FirstOrDefault();

    /// <summary>The task the agent runs in now (or the one being started), else the latest.</summary>
    public static TaskResponse? Current(IReadOnlyCollection<TaskResponse> tasks) =>
        tasks.Where(IsRunning).FirstOrDefault() ?? Latest(tasks.Where(Wanted)) ?? Latest(tasks);

    /// <summary>
    /// Running when the replica has a running task; Stopped at 0 replicas; Exited when the latest task ended on its
    /// own (its replacement not created yet, or never: a task the manager cannot place stays pending instead);
    /// Restarting while the replacement of such a task is prepared or started; Starting while any other task is.
    /// </summary>
    public static WorkloadState Derive(ulong replicas, IReadOnlyCollection<TaskResponse> tasks)
    {
        if (replicas == 0)
        {
            return WorkloadState.Stopped;
        }

        if (tasks.Any(IsRunning))
        {
            return WorkloadState.Running;
        }

        var ordered = tasks.OrderByDescending(t => t.CreatedAt ?? DateTime.MinValue).ToList();
        if (ordered.Count == 0)
        {
            return WorkloadState.Starting;
        }

        if (EndedByItself(ordered[0]))
        {
            return WorkloadState.Exited;
        }

        if (Ended(ordered[0]))
        {
            return WorkloadState.Starting; // shut down by the manager (a new spec): its successor is on the way
        }

        return ordered.Count > 1 && EndedByItself(ordered[1]) ? WorkloadState.Restarting : WorkloadState.Starting;
    }

    /// <summary>
    /// Tasks of the service that ended on their own: each one made the manager start another. Bounded by the
    /// manager's task history (<c>docker swarm update --task-history-limit</c>, 5 per slot by default), so it
    /// counts recent restarts, not all of them.
    /// </summary>
    public static int RestartCount(IEnumerable<TaskResponse> tasks) => tasks.Count(EndedByItself);

    /// <summary>The task's own words on why it is where it is: its error, else its status message.</summary>
    public static string Describe(TaskResponse task) =>
        $"task {task.ID} {task.Status?.State.ToString()?.ToLowerInvariant() ?? "unknown"}"
        + (task.Status?.Err is { Length: > 0 } error ? $": {error}" : task.Status?.Message is { Length: > 0 } message ? $" ({message})" : "");
}
