using Microsoft.EntityFrameworkCore;

namespace Platform.Data.Replication;

/// <summary>
/// What a reporting read does when the replica it was routed to goes away under it: the monitor learns of the loss at
/// once (the reads that follow go to the primary without waiting for the next probe), and the read gets a context on the
/// primary, with the same tenant, to run again. Registered only when a replica is configured.
/// </summary>
public sealed class ReplicaFallback
{
    private readonly RoutedReadContextFactory _contexts;
    private readonly ReplicaMonitor _monitor;

    internal ReplicaFallback(IDbContextFactory<PlatformReadDbContext> contexts, ReplicaMonitor monitor)
    {
        _contexts = (RoutedReadContextFactory)contexts;
        _monitor = monitor;
    }

    /// <summary>A context on the primary for the read that failed on <paramref name="lost"/>; the caller disposes it.</summary>
    public PlatformReadDbContext MoveToPrimary(PlatformReadDbContext lost, Exception error)
    {
        _monitor.ReportLost(error);
        var primary = _contexts.CreatePrimaryDbContext();
        primary.Tenant = lost.Tenant;
        return primary;
    }
}
