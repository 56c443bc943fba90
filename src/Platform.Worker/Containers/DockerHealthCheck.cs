using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.Worker.Containers;

/// <summary>Healthy when the Docker engine answers, Degraded when Docker is switched off, Unhealthy when it does not answer.</summary>
public sealed class DockerHealthCheck(DockerConnection docker) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!docker.Options.Enabled)
        {
            return HealthCheckResult.Degraded("Docker polling is disabled (Docker:Enabled=false).");
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var version = await docker.Client.System.GetVersionAsync(timeout.Token);
            return HealthCheckResult.Healthy($"Docker {version.Version} (API {version.APIVersion}) at {docker.Endpoint}.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The Docker engine at {docker.Endpoint} does not answer.", ex);
        }
    }
}
