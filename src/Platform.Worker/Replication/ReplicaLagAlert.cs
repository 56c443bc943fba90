using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Replication;
using Platform.Worker.Containers;

namespace Platform.Worker.Replication;

/// <summary>
/// The platform-wide <c>replica_lag</c> alert (warning): opened once the replica's lag has stayed over
/// <c>Data:MaxReplicaLag</c> for <see cref="SamplesOverLimit"/> samples in a row, so that one slow replay does not page
/// anyone; resolved by the first sample back under the limit. A replica that does not answer gives no samples and
/// changes nothing here: the fallback and /health report it.
/// </summary>
public sealed partial class ReplicaLagAlert(
    DbContextOptions<PlatformDbContext> dbOptions, AlertStore alerts, ReplicaMonitor monitor, ILogger<ReplicaLagAlert> logger)
{
    public const string Kind = "replica_lag";
    public const int SamplesOverLimit = 3;

    private int _overInARow;
    private bool? _open;

    /// <summary>Counts one new sample; opens or resolves the alert when its state changes (and once at the first sample).</summary>
    public async Task ObserveAsync(ReplicaLagSample sample, CancellationToken cancellationToken)
    {
        var over = sample.LagSeconds > monitor.MaxLag.TotalSeconds;
        _overInARow = over ? _overInARow + 1 : 0;
        if (over && _overInARow >= SamplesOverLimit && _open != true)
        {
            var opened = await PlatformAlertSwitch.OpenAsync(dbOptions, alerts, Kind, AlertSeverity.Warning, "Read replica lagging",
                $"The read replica has been {sample.LagSeconds:F1} s ({sample.LagBytes} bytes) behind the primary for {_overInARow} samples in a row "
                + $"(limit {monitor.MaxLag.TotalSeconds:F1} s): reports read from the primary meanwhile.",
                cancellationToken);
            _open = true;
            if (opened)
            {
                LogOpened(logger, sample.LagSeconds, _overInARow);
            }
        }
        else if (!over && _open != false)
        {
            // Also at the first sample: an alert a previous run left open is resolved once the replica is current.
            var resolved = await PlatformAlertSwitch.ResolveAsync(dbOptions, alerts, Kind, cancellationToken);
            _open = false;
            if (resolved)
            {
                LogResolved(logger, sample.LagSeconds);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert replica_lag opened: the read replica lags {LagSeconds:F1} s for {Samples} samples in a row.")]
    private static partial void LogOpened(ILogger logger, double lagSeconds, int samples);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert replica_lag resolved: the read replica lags {LagSeconds:F1} s.")]
    private static partial void LogResolved(ILogger logger, double lagSeconds);
}
