using Platform.Data;
using Platform.Data.Entities;
using Platform.Runtime;

namespace Platform.Worker.Containers;

/// <summary>
/// The one platform-wide <c>docker_unreachable</c> alert of a scope, opened while its agent runtime (an engine or a
/// swarm manager) does not answer. The kind keeps its name from the days of one local engine.
/// </summary>
internal sealed class DockerUnreachableAlert(IAgentRuntime runtime, string scope, AlertStore alerts, ILogger logger)
{
    private string Fingerprint => AlertRules.DockerUnreachableFingerprint(scope);

    /// <summary>True when the alert was opened now (not already open).</summary>
    public async Task<bool> OpenAsync(PlatformDbContext db, Exception error, CancellationToken cancellationToken)
    {
        var opened = await alerts.OpenAsync(db, new AlertDraft(
            TenantId: null,
            AgentId: null,
            ContainerId: null,
            AlertRules.DockerUnreachable,
            AlertSeverity.Critical,
            "Agent runtime unreachable",
            $"The agent runtime ({runtime.Backend.ToString().ToLowerInvariant()}) at {runtime.Endpoint} does not answer: {error.GetBaseException().Message}",
            Fingerprint), cancellationToken);
        if (opened)
        {
            logger.LogError(error, "The agent runtime at {Endpoint} is unreachable", runtime.Endpoint);
        }

        return opened;
    }

    /// <summary>Resolves the alert once the runtime answers; the number of alerts resolved (0 or 1).</summary>
    public async Task<int> ResolveAsync(PlatformDbContext db, CancellationToken cancellationToken)
    {
        var resolved = await alerts.ResolveAsync(db, [Fingerprint], cancellationToken);
        if (resolved.Count > 0)
        {
            logger.LogInformation("The agent runtime at {Endpoint} answers again", runtime.Endpoint);
        }

        return resolved.Count;
    }
}
