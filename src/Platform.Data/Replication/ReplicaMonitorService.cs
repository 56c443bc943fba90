using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Data.Replication;

/// <summary>
/// Probes the replica every <see cref="ReplicaOptions.ReplicaProbeInterval"/> once the host has started (nothing on the
/// way to the first answer waits for it) and feeds <see cref="ReplicaMonitor"/>. A failed probe is the replica being
/// down, never the loop's end.
/// </summary>
internal sealed partial class ReplicaMonitorService(
    ReplicaProbe probe, ReplicaMonitor monitor, IOptions<ReplicaOptions> options, IHostApplicationLifetime lifetime,
    TimeProvider clock, ILogger<ReplicaMonitorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (!await StartedAsync(stoppingToken))
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.ReplicaProbeInterval, clock);
        do
        {
            try
            {
                monitor.Record(await probe.SampleAsync(stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogProbeFailed(logger, ex.GetBaseException().Message);
                monitor.RecordUnreachable(ex);
            }
        }
        while (await NextAsync(timer, stoppingToken));
    }

    private async Task<bool> StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return !stoppingToken.IsCancellationRequested;
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Replica probe failed: {Error}")]
    private static partial void LogProbeFailed(ILogger logger, string error);
}
