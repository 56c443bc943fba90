namespace Platform.Data.Replication;

/// <summary>Where the reporting reads go, and why.</summary>
public enum ReplicaRoute
{
    /// <summary>No <c>platformdb-read</c>: the reads use the primary by design.</summary>
    NotConfigured,

    /// <summary>Configured, not yet answered: the reads use the primary, which is never stale.</summary>
    Probing,

    Replica,

    /// <summary>Fell back to the primary: the replica did not answer.</summary>
    PrimaryReplicaDown,

    /// <summary>Fell back to the primary: the replica's lag is over <see cref="ReplicaOptions.MaxReplicaLag"/>.</summary>
    PrimaryReplicaLagging,
}
