using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.Api.Redis;

/// <summary>Redis down is Degraded, never Unhealthy: the API serves every request without it.</summary>
public sealed class RedisGateHealthCheck(RedisGate gate) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(gate.IsAvailable
            ? HealthCheckResult.Healthy("Redis answers.")
            : HealthCheckResult.Degraded($"Redis is unavailable ({gate.LastFailure}); rate limits are per replica and the live feed polls PostgreSQL."));
}
