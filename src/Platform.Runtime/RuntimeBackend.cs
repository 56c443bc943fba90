namespace Platform.Runtime;

public enum RuntimeBackend
{
    /// <summary>No runtime is configured: nothing is provisioned, and the hosts report Degraded.</summary>
    None,

    /// <summary>A Docker engine: one container per agent.</summary>
    Engine,

    /// <summary>A Docker Swarm: one replicated service per agent (replicas 1, or 0 while hibernated).</summary>
    Swarm,
}
