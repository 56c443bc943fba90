using Microsoft.Extensions.Diagnostics.HealthChecks;
using Platform.Worker.Health;

namespace Platform.Worker.Containers;

/// <summary>
/// Healthy when the Docker engine answers; Degraded when Docker is switched off or the engine does not answer. A
/// worker without its engine still runs every job and raises <c>docker_unreachable</c>; restarting it would not
/// bring the engine back, so an orchestrator must not be told to.
/// </summary>
public sealed class DockerHealthCheck(DockerConnection docker) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!docker.Options.Enabled)
        {
            return HealthCheckResult.Degraded("Docker polling is disabled (Docker:Enabled=false).");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HealthCheckBounds.CallTimeout);
        try
        {
            var version = await docker.Client.System.GetVersionAsync(timeout.Token).WaitAsync(timeout.Token);
            return HealthCheckResult.Healthy($"Docker {version.Version} (API {version.APIVersion}) at {docker.Endpoint}.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded(
                $"The Docker engine at {docker.Endpoint} did not answer within {HealthCheckBounds.CallTimeout.TotalSeconds:F0} s.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The message is the diagnosis; a stack trace in the log at every probe would only bury it.
            return HealthCheckResult.Degraded($"The Docker engine at {docker.Endpoint} does not answer: {ex.Message}");
        }
    }
}
