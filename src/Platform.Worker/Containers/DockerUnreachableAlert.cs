using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Worker.Containers;

/// <summary>The one platform-wide <c>docker_unreachable</c> alert of a scope, opened while its engine does not answer.</summary>
internal sealed class DockerUnreachableAlert(DockerOptions options, AlertStore alerts, ILogger logger)
{
    private string Fingerprint => AlertRules.DockerUnreachableFingerprint(options.Scope);

    /// <summary>True when the alert was opened now (not already open).</summary>
    public async Task<bool> OpenAsync(PlatformDbContext db, Exception error, CancellationToken cancellationToken)
    {
        var opened = await alerts.OpenAsync(db, new AlertDraft(
            TenantId: null,
            AgentId: null,
            ContainerId: null,
            AlertRules.DockerUnreachable,
            AlertSeverity.Critical,
            "Docker engine unreachable",
            $"The Docker engine at {options.Endpoint} does not answer: {error.GetBaseException().Message}",
            Fingerprint), cancellationToken);
        if (opened)
        {
            logger.LogError(error, "Docker engine at {Endpoint} is unreachable", options.Endpoint);
        }

        return opened;
    }

    /// <summary>Resolves the alert once the engine answers; the number of alerts resolved (0 or 1).</summary>
    public async Task<int> ResolveAsync(PlatformDbContext db, CancellationToken cancellationToken)
    {
        var resolved = await alerts.ResolveAsync(db, [Fingerprint], cancellationToken);
        if (resolved.Count > 0)
        {
            logger.LogInformation("Docker engine at {Endpoint} answers again", options.Endpoint);
        }

        return resolved.Count;
    }
}
