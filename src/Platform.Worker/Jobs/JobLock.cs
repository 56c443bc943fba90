using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data;
using Platform.Data.Tenancy;

namespace Platform.Worker.Jobs;

/// <summary>
/// One run of a job at a time across every worker: a PostgreSQL session advisory lock, held on a connection of its
/// own for the run. PostgreSQL drops it with the session, so a worker killed mid-run leaves nothing that blocks the
/// next run (Hangfire's lock rows stay until their timeout). A worker whose host vanishes without closing its socket
/// is noticed by the server's TCP keepalives, which this session sets short. The connection is pinged while held: if
/// it breaks, the lock is gone and <see cref="Lost"/> is cancelled so the run stops instead of going on unprotected.
/// The worker's pool keeps Npgsql's reset on close (DISCARD ALL), so a lock never outlives its connection's rental.
/// </summary>
public sealed partial class JobLock : IAsyncDisposable
{
    // The server gives up on a silent peer after idle + interval × count: well under a job's schedule, well above a
    // network hiccup. The ping makes a broken connection known to this side within one interval.
    private const int KeepaliveIdleSeconds = 10;
    private const int KeepaliveIntervalSeconds = 5;
    private const int KeepaliveCount = 3;
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(10);

    private readonly PlatformDbContext _db;
    private readonly NpgsqlConnection _connection;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _watch = Task.CompletedTask;

    private JobLock(string name, long key, PlatformDbContext db, NpgsqlConnection connection, ILogger logger)
    {
        Name = name;
        Key = key;
        _db = db;
        _connection = connection;
        _logger = logger;
    }

    public string Name { get; }

    public long Key { get; }

    /// <summary>Cancelled when the lock's connection broke while the run held it.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>The advisory lock key of a job (stable across processes and releases).</summary>
    public static long KeyOf(string name) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("platform.job:" + name)), 0);

    /// <summary>The lock of <paramref name="name"/>, or null when another session holds it.</summary>
    public static async Task<JobLock?> TryAcquireAsync(
        DbContextOptions<PlatformDbContext> dbOptions, string name, ILogger logger, CancellationToken cancellationToken)
    {
        var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            var key = KeyOf(name);
            await using var command = new NpgsqlCommand(
                $"""
                SELECT set_config('tcp_keepalives_idle', '{KeepaliveIdleSeconds}', false),
                       set_config('tcp_keepalives_interval', '{KeepaliveIntervalSeconds}', false),
                       set_config('tcp_keepalives_count', '{KeepaliveCount}', false),
                       pg_try_advisory_lock(@key)
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<long>("key", key));
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken) || !reader.GetBoolean(3))
                {
                    await db.DisposeAsync();
                    return null;
                }
            }

            var held = new JobLock(name, key, db, connection, logger);
            held._watch = held.WatchAsync();
            return held;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    private async Task WatchAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(PingInterval, _stopping.Token);
                await using var ping = new NpgsqlCommand("SELECT 1", _connection);
                await ping.ExecuteScalarAsync(_stopping.Token);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogLost(_logger, ex, Name);
            await _lost.CancelAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _watch;
        if (!_lost.IsCancellationRequested)
        {
            try
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection);
                unlock.Parameters.Add(new NpgsqlParameter<long>("key", Key));
                await unlock.ExecuteScalarAsync(CancellationToken.None);
            }
            catch (Exception ex)
            {
                // The lock goes with the session: the pool resets the connection or discards a broken one.
                LogUnlockFailed(_logger, ex, Name);
            }
        }

        await _db.DisposeAsync();
        _lost.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The lock connection of job {Job} broke while the run held it: the run is cancelled")]
    private static partial void LogLost(ILogger logger, Exception exception, string job);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the lock of job {Job}; it goes with its session")]
    private static partial void LogUnlockFailed(ILogger logger, Exception exception, string job);
}
