using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Platform.Data.Replication;

/// <summary>
/// Hands out <see cref="PlatformReadDbContext"/>s from one of two pools: the replica's while the monitor says it is
/// usable, else the primary's. A context keeps the server it was rented on for its whole request. The replica's
/// connections come from a data source of its own, so that they can be dropped when the replica comes back.
/// </summary>
internal sealed class RoutedReadContextFactory : IDbContextFactory<PlatformReadDbContext>, IAsyncDisposable
{
    private readonly NpgsqlDataSource _replicaSource;
    private readonly PooledDbContextFactory<PlatformReadDbContext> _replica;
    private readonly PooledDbContextFactory<PlatformReadDbContext> _primary;
    private readonly ReplicaMonitor _monitor;
    private int _outagesSeen;

    public RoutedReadContextFactory(string replicaConnectionString, DbContextOptions<PlatformReadDbContext> primary, IModel model, ReplicaMonitor monitor)
    {
        _replicaSource = PlatformDbContext.MapEnums(new NpgsqlDataSourceBuilder(replicaConnectionString)).Build();
        var replica = new DbContextOptionsBuilder<PlatformReadDbContext>();
        PlatformDbContext.Configure(replica, _replicaSource);
        replica.UseModel(model).UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
        _replica = new(replica.Options);
        _primary = new(primary);
        _monitor = monitor;
    }

    public PlatformReadDbContext CreateDbContext()
    {
        if (!_monitor.UsesReplica)
        {
            return CreatePrimaryDbContext();
        }

        // Idle connections from before the replica went down point at a server process that is gone: the first reads
        // after its return would fail on them.
        var outages = _monitor.Outages;
        if (Interlocked.Exchange(ref _outagesSeen, outages) != outages)
        {
            _replicaSource.Clear();
        }

        var context = _replica.CreateDbContext();
        context.OnReplica = true;
        return context;
    }

    public PlatformReadDbContext CreatePrimaryDbContext()
    {
        var context = _primary.CreateDbContext();
        context.OnReplica = false;
        return context;
    }

    public ValueTask DisposeAsync() => _replicaSource.DisposeAsync();
}
