using Npgsql;

namespace Platform.Tests.Support;

/// <summary>
/// A streaming hot standby of a <see cref="LocalPostgres"/>: <c>pg_basebackup -R</c> (the primary's initdb defaults
/// already allow replication from loopback with trust, and wal_level is replica) into a folder of its own, started on a
/// free loopback port. It streams through a physical slot, so the primary keeps the WAL it has not received while it is
/// killed or paused. Killed and started again on the same data and port, to test what readers see while it is down.
/// </summary>
public sealed class PostgresStandby : IAsyncDisposable
{
    private readonly LocalPostgres _primary;
    private readonly string _directory;
    private readonly string[] _serverArgs;
    private readonly string _slot;
    private ServerProcess? _server;

    private PostgresStandby(LocalPostgres primary, string directory, string[] serverArgs, string slot, int port)
    {
        _primary = primary;
        _directory = directory;
        _serverArgs = serverArgs;
        _slot = slot;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database = "postgres", string user = "postgres", string? password = null) =>
        new NpgsqlConnectionStringBuilder(_primary.ConnectionString(database, user, password)) { Port = Port }.ConnectionString;

    public static async Task<PostgresStandby> StartAsync(LocalPostgres primary)
    {
        // A PATH folder may link postgres and initdb only; pg_basebackup sits beside the real binaries.
        var bin = File.ResolveLinkTarget(Path.Combine(primary.BinDirectory, "postgres"), returnFinalTarget: true) is { } target
            ? Path.GetDirectoryName(target.FullName)!
            : primary.BinDirectory;
        var directory = Directory.CreateTempSubdirectory("platform-pg-standby-").FullName;
        var data = Path.Combine(directory, "data");
        if (LocalPostgres.AsRoot)
        {
            await ServerProcess.RunAsync("chown", "postgres:postgres", directory);
        }

        var slot = "standby_" + Guid.NewGuid().ToString("N")[..12];
        var basebackup = Path.Combine(bin, "pg_basebackup");
        await ServerProcess.RunAsync(LocalPostgres.AsRoot ? "setpriv" : basebackup,
        [
            .. LocalPostgres.AsPostgres(LocalPostgres.AsRoot, basebackup), "-h", "127.0.0.1", "-p", primary.Port.ToString(), "-U", "postgres",
            "-D", data, "-R", "-C", "-S", slot, "-X", "stream", "--checkpoint=fast",
        ]);

        // A standby needs at least the primary's max_connections, which the primary got on its command line.
        var port = ServerProcess.FreeTcpPort();
        string[] serverArgs =
        [
            "-D", data, "-p", port.ToString(), "-k", directory, "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "hot_standby=on",
            "-c", "wal_receiver_status_interval=1s",
        ];
        var standby = new PostgresStandby(primary, directory, serverArgs, slot, port);
        await standby.StartAgainAsync();
        return standby;
    }

    /// <summary>Kills the standby's processes at once (no shutdown), as a crashed or unplugged server.</summary>
    public async Task KillAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    /// <summary>Starts the standby on its data and port and waits until it accepts read-only connections.</summary>
    public async Task StartAgainAsync()
    {
        if (_server is not null)
        {
            return;
        }

        var postgres = Path.Combine(_primary.BinDirectory, "postgres");
        _server = LocalPostgres.AsRoot
            ? ServerProcess.Start("setpriv", [.. LocalPostgres.AsPostgres(true, postgres), .. _serverArgs])
            : ServerProcess.Start(postgres, _serverArgs);
        await LocalPostgres.WaitUntilAcceptingAsync(ConnectionString(), _server, "The standby");
    }

    /// <summary>Stops applying WAL (it keeps receiving it): readers see the standby fall behind.</summary>
    public Task PauseReplayAsync() => ExecuteAsync("SELECT pg_wal_replay_pause()");

    public Task ResumeReplayAsync() => ExecuteAsync("SELECT pg_wal_replay_resume()");

    /// <summary>Waits until the standby has replayed everything the primary had written when called.</summary>
    public async Task WaitForCatchUpAsync(TimeSpan timeout)
    {
        string target;
        await using (var primary = new NpgsqlConnection(_primary.ConnectionString() + ";Pooling=false"))
        {
            await primary.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_current_wal_lsn()::text", primary);
            target = (string)(await command.ExecuteScalarAsync())!;
        }

        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), @target::pg_lsn) >= 0", connection);
            command.Parameters.AddWithValue("target", target);
            if ((bool)(await command.ExecuteScalarAsync())!)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The standby did not replay up to {target} within {timeout}.");
            }

            await Task.Delay(100);
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            // The primary would keep WAL for the slot forever.
            await using var connection = new NpgsqlConnection(_primary.ConnectionString() + ";Pooling=false");
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_drop_replication_slot(@slot)", connection);
            command.Parameters.AddWithValue("slot", _slot);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The primary is already gone with its slots.
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying child: the temp folder is cleaned by the OS.
        }
    }
}
