using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.Worker.Hangfire;

/// <summary>Healthy when Hangfire's storage answers and this process has a server heartbeating in it.</summary>
internal sealed class HangfireHealthCheck(JobStorage storage) : IHealthCheck
{
    private static readonly TimeSpan HeartbeatTolerance = TimeSpan.FromMinutes(1);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var servers = storage.GetMonitoringApi().Servers();
            var prefix = $"{Environment.MachineName}:{Environment.ProcessId}".ToLowerInvariant();
            var mine = servers.FirstOrDefault(s => s.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
            if (mine is null)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("The Hangfire server of this process has not registered yet."));
            }

            var age = DateTime.UtcNow - (mine.Heartbeat ?? DateTime.MinValue);
            return Task.FromResult(age > HeartbeatTolerance
                ? HealthCheckResult.Unhealthy($"Last Hangfire heartbeat {age.TotalSeconds:F0} s ago.")
                : HealthCheckResult.Healthy($"{servers.Count} server(s), {mine.WorkersCount} workers here."));
        }
        catch (Exception ex)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Hangfire storage is unreachable.", ex));
        }
    }
}
