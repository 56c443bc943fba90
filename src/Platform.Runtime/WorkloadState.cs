namespace Platform.Runtime;

/// <summary>Where a workload stands, the same words for both backends.</summary>
public enum WorkloadState
{
    /// <summary>Created or scheduled, not running yet (engine: created; swarm: a task being prepared or started).</summary>
    Starting,

    Running,

    /// <summary>Frozen in memory (engine: paused).</summary>
    Frozen,

    Restarting,

    /// <summary>Not running, not by the platform's choice (engine: exited or dead; swarm: the task failed or was rejected).</summary>
    Exited,

    /// <summary>Deliberately holding no process (swarm: scaled to 0). An engine reports a stopped container as <see cref="Exited"/>.</summary>
    Stopped,

    Removing,

    Unknown,
}
