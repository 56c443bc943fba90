using Npgsql;
using NpgsqlTypes;

namespace Platform.Data.Replication;

/// <summary>Asks the replica (and the primary, for the bytes) how far replication lags; each call opens fresh connections.</summary>
internal sealed class ReplicaProbe(string replicaConnectionString, string primaryConnectionString, TimeSpan timeout, TimeProvider clock)
{
    private readonly string _replica = Unpooled(replicaConnectionString, timeout);
    private readonly string _primary = Unpooled(primaryConnectionString, timeout);

    /// <summary>Throws when the replica cannot be reached or asked; a primary that does not answer only loses the byte figure's precision.</summary>
    public async Task<ReplicaLagSample> SampleAsync(CancellationToken cancellationToken)
    {
        var standby = await ReadStandbyAsync(cancellationToken);
        var sampledAt = clock.GetUtcNow();
        if (!standby.InRecovery)
        {
            return new ReplicaLagSample(false, 0, 0, sampledAt);
        }

        // When the primary is idle nothing is replayed and the replay timestamp ages although the replica is current:
        // everything received has been replayed, so the lag is zero.
        var caughtUp = standby.Received is { } received && standby.Replayed is { } replayed && received == replayed;
        var seconds = caughtUp ? 0 : Math.Max(0, standby.SecondsSinceReplay ?? 0);
        var bytes = await BytesBehindPrimaryAsync(standby.Replayed, cancellationToken)
            ?? (standby.Received is { } r && standby.Replayed is { } p && r > p ? (long)(r - p) : 0);
        return new ReplicaLagSample(true, seconds, bytes, sampledAt);
    }

    private async Task<StandbyPosition> ReadStandbyAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_replica);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT pg_is_in_recovery(),
                   extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8,
                   pg_last_wal_receive_lsn(),
                   pg_last_wal_replay_lsn()
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new StandbyPosition(
            reader.GetBoolean(0),
            reader.IsDBNull(1) ? null : reader.GetDouble(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(3));
    }

    private async Task<long?> BytesBehindPrimaryAsync(NpgsqlLogSequenceNumber? replayed, CancellationToken cancellationToken)
    {
        if (replayed is not { } position)
        {
            return null;
        }

        try
        {
            await using var connection = new NpgsqlConnection(_primary);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_current_wal_lsn()", connection);
            var current = (NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(cancellationToken))!;
            return current > position ? (long)(current - position) : 0;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // The primary's own health check reports it; the lag in bytes falls back to what the replica knows.
            return null;
        }
    }

    private static string Unpooled(string connectionString, TimeSpan timeout) => new NpgsqlConnectionStringBuilder(connectionString)
    {
        // One connection every few seconds: a pool would only keep a connection that a replica restart breaks.
        Pooling = false,
        Timeout = (int)Math.Ceiling(timeout.TotalSeconds),
        CommandTimeout = (int)Math.Ceiling(timeout.TotalSeconds),
        ApplicationName = "platform-replica-probe",
    }.ConnectionString;

    private sealed record StandbyPosition(bool InRecovery, double? SecondsSinceReplay, NpgsqlLogSequenceNumber? Received, NpgsqlLogSequenceNumber? Replayed);
}
