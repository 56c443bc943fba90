using Docker.DotNet.Models;
using Platform.Data.Entities;
using Platform.Data.Security;

namespace Platform.Worker.Containers;

/// <summary>
/// Creates and starts an agent's container from <c>Docker:AgentImage</c>: labels, environment (with the
/// agent's runtime API key), the tenant's CPU/memory limits, network, restart policy and health check.
/// </summary>
internal sealed class AgentContainerFactory(DockerConnection docker, ILogger logger)
{
    private DockerOptions Options => docker.Options;

    /// <summary>The id of the started container; a container that would not start is removed again.</summary>
    public async Task<string> CreateAsync(Agent agent, Tenant tenant, RuntimeKey key, CancellationToken cancellationToken)
    {
        // A container left by an earlier attempt that never committed (its key was rolled back) goes first.
        var name = ContainerLabels.ContainerName(agent.Id);
        await docker.ForceRemoveAsync(name, cancellationToken);

        var created = await docker.Client.Containers.CreateContainerAsync(Parameters(name, agent, tenant, key), cancellationToken);
        try
        {
            await docker.Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
        }
        catch
        {
            await RemoveQuietlyAsync(created.ID);
            throw;
        }

        return created.ID;
    }

    /// <summary>Best-effort clean-up after a failed attempt: never throws, and ignores the caller's cancellation.</summary>
    public async Task RemoveQuietlyAsync(string? containerId)
    {
        if (containerId is null)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Options.RequestTimeoutSeconds));
            await docker.ForceRemoveAsync(containerId, timeout.Token);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not remove container {ContainerId}", containerId);
        }
    }

    private CreateContainerParameters Parameters(string name, Agent agent, Tenant tenant, RuntimeKey key)
    {
        var limits = ContainerLimits.For(tenant);
        return new CreateContainerParameters
        {
            Name = name,
            Image = Options.AgentImage,
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.AgentId] = agent.Id.ToString(),
                [ContainerLabels.TenantId] = agent.TenantId.ToString(),
                [ContainerLabels.Scope] = Options.Scope,
            },
            Env =
            [
                $"PLATFORM_AGENT_ID={agent.Id}",
                $"PLATFORM_TENANT_ID={agent.TenantId}",
                $"PLATFORM_API_URL={Options.ApiBaseUrl ?? string.Empty}",
                $"PLATFORM_API_KEY={key.Key}",
            ],
            Healthcheck = HealthCheck(),
            HostConfig = new HostConfig
            {
                Memory = limits.MemoryBytes,
                MemorySwap = limits.MemoryBytes,
                NanoCPUs = limits.NanoCpus,
                NetworkMode = Options.NetworkPerTenant ? ContainerLabels.TenantNetwork(agent.TenantId) : Options.NetworkMode,
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind() },
            },
        };
    }

    private HealthConfig? HealthCheck() => Options.HealthCheck is { Length: > 0 } test
        ? new HealthConfig
        {
            Test = [.. test],
            Interval = TimeSpan.FromSeconds(Options.HealthCheckIntervalSeconds),
            Timeout = TimeSpan.FromSeconds(Options.HealthCheckTimeoutSeconds),
            Retries = Options.HealthCheckRetries,
        }
        : null;

    private Docker.DotNet.Models.RestartPolicyKind RestartPolicyKind() => Options.RestartPolicy switch
    {
        "no" => Docker.DotNet.Models.RestartPolicyKind.No,
        "always" => Docker.DotNet.Models.RestartPolicyKind.Always,
        "on-failure" => Docker.DotNet.Models.RestartPolicyKind.OnFailure,
        _ => Docker.DotNet.Models.RestartPolicyKind.UnlessStopped,
    };
}
