using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.Data.Replication;

/// <summary>
/// Healthy without a replica (none configured) and while the reports read from it; Degraded, never Unhealthy, while they
/// fell back to the primary: every read still answers, from the primary.
/// </summary>
internal sealed class ReplicaHealthCheck(ReplicaMonitor monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = monitor.Status;
        var result = status.Route switch
        {
            ReplicaRoute.NotConfigured => HealthCheckResult.Healthy("No read replica configured: reports read from the primary."),
            ReplicaRoute.Probing => HealthCheckResult.Healthy("The read replica has not been probed yet: reports read from the primary meanwhile."),
            ReplicaRoute.Replica => HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture,
                $"Reports read from the replica (lag {status.LastSample!.LagSeconds:F1} s, {status.LastSample.LagBytes} bytes).")),
            ReplicaRoute.PrimaryReplicaLagging => HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture,
                $"The read replica lags {status.LastSample!.LagSeconds:F1} s (limit {monitor.MaxLag.TotalSeconds:F1} s): reports read from the primary.")),
            _ => HealthCheckResult.Degraded($"The read replica does not answer ({status.Error}): reports read from the primary."),
        };
        return Task.FromResult(result);
    }
}
