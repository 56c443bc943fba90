using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Worker.Containers;

namespace Platform.Worker.Replication;

/// <summary>
/// The platform-wide <c>replica_unreachable</c> alert (warning): opened once <see cref="FailedProbesToOpen"/> probes in
/// a row (as many as <see cref="ReplicaLagAlert"/> needs samples) found the replica not answering, so that a restart
/// does not page anyone; resolved by the first probe it answers. Reads meanwhile go to the primary.
/// </summary>
public sealed partial class ReplicaUnreachableAlert(
    DbContextOptions<PlatformDbContext> dbOptions, AlertStore alerts, ILogger<ReplicaUnreachableAlert> logger)
{
    public const string Kind = "replica_unreachable";
    public const int FailedProbesToOpen = ReplicaLagAlert.SamplesOverLimit;

    private bool? _open;

    /// <summary>Looks at the latest probe outcome; opens or resolves the alert when its state changes (and once at the first).</summary>
    public async Task ObserveAsync(int failedProbesInARow, string? error, CancellationToken cancellationToken)
    {
        if (failedProbesInARow >= FailedProbesToOpen && _open != true)
        {
            var opened = await PlatformAlertSwitch.OpenAsync(dbOptions, alerts, Kind, AlertSeverity.Warning, "Read replica unreachable",
                $"The read replica did not answer {failedProbesInARow} probes in a row ({error}): reports read from the primary meanwhile.",
                cancellationToken);
            _open = true;
            if (opened)
            {
                LogOpened(logger, failedProbesInARow, error);
            }
        }
        else if (failedProbesInARow == 0 && _open != false)
        {
            // Also at the first answer: an alert a previous run left open is resolved once the replica answers.
            var resolved = await PlatformAlertSwitch.ResolveAsync(dbOptions, alerts, Kind, cancellationToken);
            _open = false;
            if (resolved)
            {
                LogResolved(logger);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert replica_unreachable opened: the read replica did not answer {Probes} probes in a row ({Error}).")]
    private static partial void LogOpened(ILogger logger, int probes, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert replica_unreachable resolved: the read replica answers again.")]
    private static partial void LogResolved(ILogger logger);
}
