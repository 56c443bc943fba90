namespace Platform.Data.Replication;

/// <summary>
/// Section <c>Data</c>: when the reporting reads leave the read replica (<c>platformdb-read</c>) for the primary.
/// Durations are written as time spans (<c>00:00:05</c>); a bare number would bind as days.
/// </summary>
public sealed class ReplicaOptions
{
    public const string SectionName = "Data";

    /// <summary>Replication lag beyond which reporting reads go to the primary until the replica catches up.</summary>
    public TimeSpan MaxReplicaLag { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the replica is asked for its lag; also how long a fallback lasts at least.</summary>
    public TimeSpan ReplicaProbeInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The bound of each probe's connection and query: a replica that does not answer within it counts as down.</summary>
    public TimeSpan ReplicaProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
