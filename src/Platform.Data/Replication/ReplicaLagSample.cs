namespace Platform.Data.Replication;

/// <summary>
/// One answer of the replica: how far its replay is behind, in time and in WAL bytes. <see cref="LagBytes"/> is measured
/// against the primary's current WAL position when the primary answered, else between what the replica received and
/// replayed. <see cref="InRecovery"/> false means the server is not a standby (a promoted replica, or a plain server):
/// it has nothing to replay, so its lag is zero.
/// </summary>
public sealed record ReplicaLagSample(bool InRecovery, double LagSeconds, long LagBytes, DateTimeOffset SampledAt);
