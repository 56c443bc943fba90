using Microsoft.Extensions.Options;
using Platform.Data.Replication;

namespace Platform.Worker.Replication;

/// <summary>
/// Hands each new sample of the replica monitor to <see cref="ReplicaLagAlert"/>, and each new probe outcome to
/// <see cref="ReplicaUnreachableAlert"/>, at the monitor's own pace. Does nothing without a replica. A failed iteration
/// (the primary down, say) is logged and the outcome is seen again next time round.
/// </summary>
internal sealed partial class ReplicaLagAlertLoop(
    ReplicaMonitor monitor, ReplicaLagAlert alert, ReplicaUnreachableAlert unreachable, IOptions<ReplicaOptions> options, TimeProvider clock,
    ILogger<ReplicaLagAlertLoop> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (monitor.Status.Route == ReplicaRoute.NotConfigured)
        {
            return;
        }

        DateTimeOffset? seen = null;
        long? probesSeen = null;
        using var timer = new PeriodicTimer(options.Value.ReplicaProbeInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var probes = monitor.Probes;
                if (probes != probesSeen && probes > 0)
                {
                    try
                    {
                        await unreachable.ObserveAsync(monitor.FailedProbesInARow, monitor.Status.Error, stoppingToken);
                        probesSeen = probes;
                    }
                    catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                    {
                        LogFailed(logger, ex);
                    }
                }

                if (monitor.Status.LastSample is not { } sample || sample.SampledAt == seen)
                {
                    continue;
                }

                try
                {
                    await alert.ObserveAsync(sample, stoppingToken);
                    seen = sample.SampledAt;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The replica alerts could not be updated; retrying with the next probe.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
