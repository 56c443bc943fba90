using Microsoft.Extensions.Options;
using Platform.Data.Replication;

namespace Platform.Worker.Replication;

/// <summary>
/// Hands each new sample of the replica monitor to <see cref="ReplicaLagAlert"/>, at the monitor's own pace. Does
/// nothing without a replica. A failed iteration (the primary down, say) is logged and the sample is seen again next
/// time round.
/// </summary>
internal sealed partial class ReplicaLagAlertLoop(
    ReplicaMonitor monitor, ReplicaLagAlert alert, IOptions<ReplicaOptions> options, TimeProvider clock, ILogger<ReplicaLagAlertLoop> logger)
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
        using var timer = new PeriodicTimer(options.Value.ReplicaProbeInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
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

    [LoggerMessage(Level = LogLevel.Error, Message = "The replica lag alert could not be updated; retrying with the next sample.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
