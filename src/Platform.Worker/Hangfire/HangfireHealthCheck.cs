using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.Worker.Hangfire;

/// <summary>
/// Healthy when Hangfire's storage (PostgreSQL) answers and this process has a server heartbeating in it; Unhealthy
/// otherwise: without either this worker runs no job, and restarting it is what helps.
/// </summary>
internal sealed class HangfireHealthCheck(JobStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // The monitoring API is synchronous: off the caller's thread, so the check's timeout can end the wait.
            var servers = await Task.Run(() => storage.GetMonitoringApi().Servers(), cancellationToken).WaitAsync(cancellationToken);
            var prefix = $"{Environment.MachineName}:{Environment.ProcessId}".ToLowerInvariant();
            var mine = servers.FirstOrDefault(s => s.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
            if (mine is null)
            {
                return HealthCheckResult.Unhealthy("The Hangfire server of this process has not registered yet.");
            }

            // Older than the server timeout, other servers' watchdogs remove it as dead.
            var age = DateTime.UtcNow - (mine.Heartbeat ?? DateTime.MinValue);
            return age > HangfireTimings.ServerTimeout
                ? HealthCheckResult.Unhealthy($"Last Hangfire heartbeat {age.TotalSeconds:F0} s ago.")
                : HealthCheckResult.Healthy($"{servers.Count} server(s), {mine.WorkersCount} workers here.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("Hangfire storage (PostgreSQL) is unreachable.", ex);
        }
    }
}
