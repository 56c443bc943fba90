using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Platform.Runtime.Docker;

namespace Platform.Runtime.Swarm;

/// <summary>A one-shot stats sample of a task's container (<see cref="DockerStats"/> reads the figures from it).</summary>
internal static class ContainerStats
{
    /// <summary>The sample, or null when the engine gave none within <c>Runtime:StatsTimeoutSeconds</c>.</summary>
    public static async Task<ContainerStatsResponse?> SampleAsync(SwarmManager manager, string containerId, ILogger logger, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(manager.Options.StatsTimeoutSeconds));
        var capture = new LastValue<ContainerStatsResponse>();
        try
        {
            await manager.Client.Containers.GetContainerStatsAsync(
                containerId, new ContainerStatsParameters { Stream = false, OneShot = true }, capture, timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(ex, "No stats sample for container {ContainerId}", containerId);
        }

        return capture.Value;
    }
}
