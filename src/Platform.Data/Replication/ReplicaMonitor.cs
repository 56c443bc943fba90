using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Data.Replication;

/// <summary>
/// The replica's last known state, which decides where <see cref="PlatformReadDbContext"/> connects. Fed by
/// <see cref="ReplicaMonitorService"/>; logs once per change of route, counts the fallbacks and exposes the lag as gauges.
/// </summary>
public sealed partial class ReplicaMonitor
{
    public const string MeterName = "Platform.Data";

    private readonly TimeSpan _maxLag;
    private readonly ILogger<ReplicaMonitor> _logger;
    private readonly Counter<long> _fallbacks;
    private readonly Lock _lock = new();
    private int _outages;
    private int _failedProbesInARow;
    private long _probes;
    private volatile ReplicaStatus _status;

    public ReplicaMonitor(bool configured, IOptions<ReplicaOptions> options, ILogger<ReplicaMonitor> logger, IMeterFactory meters)
    {
        _maxLag = options.Value.MaxReplicaLag;
        _logger = logger;
        _status = new ReplicaStatus(configured ? ReplicaRoute.Probing : ReplicaRoute.NotConfigured, null, null);
        var meter = meters.Create(MeterName);
        _fallbacks = meter.CreateCounter<long>("platform.data.replica_fallbacks",
            description: "Times the reporting reads left the read replica for the primary (replica down or lagging).");
        meter.CreateObservableGauge("platform.data.replica_lag_seconds", () => Gauge(s => s.LagSeconds), unit: "s",
            description: "How far the read replica's replay is behind the primary, in seconds.");
        meter.CreateObservableGauge("platform.data.replica_lag_bytes", () => Gauge(s => (double)s.LagBytes), unit: "By",
            description: "How far the read replica's replay is behind the primary's WAL, in bytes.");
    }

    public ReplicaStatus Status => _status;

    /// <summary>True while the reporting reads should use the replica.</summary>
    public bool UsesReplica => _status.Route == ReplicaRoute.Replica;

    public TimeSpan MaxLag => _maxLag;

    /// <summary>Counts the times the replica went down: connections pooled before one are broken.</summary>
    public int Outages => Volatile.Read(ref _outages);

    /// <summary>Probes answered or failed so far: a change means there is a new outcome to look at.</summary>
    public long Probes => Interlocked.Read(ref _probes);

    /// <summary>Probes in a row that found the replica unreachable, zero once one answers.</summary>
    public int FailedProbesInARow => Volatile.Read(ref _failedProbesInARow);

    public void Record(ReplicaLagSample sample)
    {
        Volatile.Write(ref _failedProbesInARow, 0);
        Move(new ReplicaStatus(sample.LagSeconds > _maxLag.TotalSeconds ? ReplicaRoute.PrimaryReplicaLagging : ReplicaRoute.Replica, sample, null));
        Interlocked.Increment(ref _probes);
    }

    public void RecordUnreachable(Exception error)
    {
        Interlocked.Increment(ref _failedProbesInARow);
        Move(new ReplicaStatus(ReplicaRoute.PrimaryReplicaDown, _status.LastSample, error.GetBaseException().Message));
        Interlocked.Increment(ref _probes);
    }

    /// <summary>
    /// A reporting read lost its replica connection: the reads leave it at once instead of at the next probe, which
    /// brings them back once the replica answers again. Not a failed probe: the unreachable alert counts probes alone.
    /// </summary>
    public void ReportLost(Exception error) =>
        Move(new ReplicaStatus(ReplicaRoute.PrimaryReplicaDown, _status.LastSample, error.GetBaseException().Message));

    private void Move(ReplicaStatus next)
    {
        ReplicaRoute previous;
        lock (_lock)
        {
            previous = _status.Route;
            _status = next;
            if (next.Route == ReplicaRoute.PrimaryReplicaDown && previous != next.Route)
            {
                _outages++;
            }
        }

        if (previous == next.Route)
        {
            return;
        }

        switch (next.Route)
        {
            case ReplicaRoute.Replica:
                LogOnReplica(_logger, previous);
                break;
            case ReplicaRoute.PrimaryReplicaDown:
                LogReplicaDown(_logger, next.Error);
                break;
            case ReplicaRoute.PrimaryReplicaLagging:
                LogReplicaLagging(_logger, next.LastSample!.LagSeconds, _maxLag.TotalSeconds);
                break;
        }

        // Leaving the replica, or never reaching it, is a fallback; moving between the two reasons is not another one.
        var wasOnPrimaryByFallback = previous is ReplicaRoute.PrimaryReplicaDown or ReplicaRoute.PrimaryReplicaLagging;
        if (next.Route is ReplicaRoute.PrimaryReplicaDown or ReplicaRoute.PrimaryReplicaLagging && !wasOnPrimaryByFallback)
        {
            _fallbacks.Add(1, new KeyValuePair<string, object?>("reason", next.Route == ReplicaRoute.PrimaryReplicaDown ? "down" : "lag"));
        }
    }

    private IEnumerable<Measurement<double>> Gauge(Func<ReplicaLagSample, double> value) =>
        _status.LastSample is { } sample ? [new Measurement<double>(value(sample))] : [];

    [LoggerMessage(Level = LogLevel.Information, Message = "Reporting reads use the read replica again (were on the primary: {Previous}).")]
    private static partial void LogOnReplica(ILogger logger, ReplicaRoute previous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The read replica does not answer ({Error}); reporting reads use the primary.")]
    private static partial void LogReplicaDown(ILogger logger, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The read replica lags {LagSeconds:F1} s (limit {MaxLagSeconds:F1} s); reporting reads use the primary.")]
    private static partial void LogReplicaLagging(ILogger logger, double lagSeconds, double maxLagSeconds);
}

/// <param name="Route">Where the reads go.</param>
/// <param name="LastSample">The replica's last answer, null before the first.</param>
/// <param name="Error">Why the last probe failed, when it did.</param>
public sealed record ReplicaStatus(ReplicaRoute Route, ReplicaLagSample? LastSample, string? Error);
