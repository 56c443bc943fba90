using Microsoft.Extensions.Diagnostics.HealthChecks;
using Platform.Runtime;
using Platform.Worker.HealthChecks;

namespace Platform.Worker.Containers;

/// <summary>
/// Healthy when the agent runtime answers; Degraded when none is configured (<c>Runtime:Backend=none</c>) or it does not
/// answer, never Unhealthy: a worker without its runtime still runs every job and raises <c>docker_unreachable</c>, and
/// restarting it would not bring the runtime back, so an orchestrator must not be told to.
/// </summary>
public sealed class RuntimeHealthCheck(IAgentRuntime runtime) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (runtime.Backend == RuntimeBackend.None)
        {
            return HealthCheckResult.Degraded("No agent runtime is configured (Runtime:Backend=none): agents are not provisioned or polled.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HealthCheckBounds.CallTimeout);
        try
        {
            var info = await runtime.DescribeAsync(timeout.Token).WaitAsync(timeout.Token);
            return HealthCheckResult.Healthy(info.Description + ".");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded(
                $"The agent runtime ({Backend}) is unreachable at {runtime.Endpoint}: no answer within {HealthCheckBounds.CallTimeout.TotalSeconds:F0} s.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The message is the diagnosis; a stack trace in the log at every probe would only bury it.
            return HealthCheckResult.Degraded($"The agent runtime ({Backend}) is unreachable at {runtime.Endpoint}: {ex.GetBaseException().Message}");
        }
    }

    private string Backend => runtime.Backend.ToString().ToLowerInvariant();
}
