using Docker.DotNet.Models;
using Platform.Runtime.Swarm;

namespace Platform.Runtime.Tests;

/// <summary>How a service's replicas and task history become a workload state and a restart count.</summary>
public sealed class SwarmTaskStatesTests
{
    private static readonly DateTime T0 = new(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Zero_replicas_is_stopped_whatever_the_tasks_say() =>
        Assert.Equal(WorkloadState.Stopped, SwarmTaskStates.Derive(0, [Task(0, TaskState.Running, TaskState.Remove)]));

    [Fact]
    public void A_running_task_that_is_wanted_running_is_running() =>
        Assert.Equal(WorkloadState.Running, SwarmTaskStates.Derive(1, [Task(0, TaskState.Failed), Task(1, TaskState.Running)]));

    [Fact]
    public void No_task_yet_or_one_being_prepared_is_starting()
    {
        Assert.Equal(WorkloadState.Starting, SwarmTaskStates.Derive(1, []));
        Assert.Equal(WorkloadState.Starting, SwarmTaskStates.Derive(1, [Task(0, TaskState.Preparing)]));
        Assert.Equal(WorkloadState.Starting, SwarmTaskStates.Derive(1, [Task(0, TaskState.Shutdown), Task(1, TaskState.Pending)]));
        Assert.Equal(WorkloadState.Starting, SwarmTaskStates.Derive(1, [Task(0, TaskState.Shutdown)]));
    }

    [Fact]
    public void The_replacement_of_a_task_that_ended_on_its_own_is_restarting() =>
        Assert.Equal(WorkloadState.Restarting, SwarmTaskStates.Derive(1, [Task(0, TaskState.Failed), Task(1, TaskState.Ready, TaskState.Ready)]));

    [Theory]
    [InlineData(TaskState.Failed)]
    [InlineData(TaskState.Rejected)]
    [InlineData(TaskState.Complete)]
    public void A_latest_task_that_ended_on_its_own_is_exited(TaskState state) =>
        Assert.Equal(WorkloadState.Exited, SwarmTaskStates.Derive(1, [Task(0, TaskState.Shutdown), Task(1, state)]));

    [Fact]
    public void Restarts_are_the_tasks_that_ended_on_their_own_not_those_the_manager_shut_down() =>
        Assert.Equal(3, SwarmTaskStates.RestartCount(
        [
            Task(0, TaskState.Failed), Task(1, TaskState.Complete), Task(2, TaskState.Rejected),
            Task(3, TaskState.Shutdown), Task(4, TaskState.Running),
        ]));

    private static TaskResponse Task(int minute, TaskState state, TaskState? desired = null) => new()
    {
        ID = $"task{minute}",
        CreatedAt = T0.AddMinutes(minute),
        DesiredState = desired ?? (state <= TaskState.Running ? TaskState.Running : TaskState.Shutdown),
        Status = new global::Docker.DotNet.Models.TaskStatus { State = state },
    };
}
