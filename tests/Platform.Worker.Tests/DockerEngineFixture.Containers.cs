using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.EntityFrameworkCore;
using Platform.Runtime;

namespace Platform.Worker.Tests;

/// <summary>Agent containers of a test scope: run, exec, wait for, inspect, list and remove.</summary>
public sealed partial class DockerEngineFixture
{
    /// <summary>Creates and starts a labelled agent container (network none), as the provisioner would.</summary>
    public async Task<string> RunAgentContainerAsync(
        string scope, Guid tenantId, Guid agentId, bool healthCheck, CancellationToken cancellationToken, long memoryBytes = 64 * 1024 * 1024)
    {
        var created = await Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = Image,
            Labels = new Dictionary<string, string>
            {
                [RuntimeLabels.AgentId] = agentId.ToString(),
                [RuntimeLabels.TenantId] = tenantId.ToString(),
                [RuntimeLabels.Scope] = scope,
            },
            Healthcheck = healthCheck
                ? new HealthcheckConfig { Test = HealthCheckCommand, Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(1), Retries = 1 }
                : null,
            HostConfig = new HostConfig { NetworkMode = "none", Memory = memoryBytes },
        }, cancellationToken);
        await Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
        return created.ID;
    }

    /// <summary>agents.container_id, as the provisioner leaves it.</summary>
    public async Task SetAgentContainerAsync(WorkerFixture fixture, Guid agentId, string containerId, CancellationToken cancellationToken)
    {
        await using var owner = fixture.Database.CreateOwnerContext();
        await owner.Agents.Where(a => a.Id == agentId).ExecuteUpdateAsync(s => s.SetProperty(a => a.ContainerId, containerId), cancellationToken);
    }

    /// <summary>Runs a command in the container and waits for it to finish.</summary>
    public async Task ExecAsync(string containerId, CancellationToken cancellationToken, params string[] command)
    {
        var exec = await Client.Exec.CreateContainerExecAsync(
            containerId, new ContainerExecCreateParameters { Cmd = command, AttachStdout = true, AttachStderr = true }, cancellationToken);
        using (var output = await Client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), cancellationToken))
        {
            await output.ReadOutputToEndAsync(cancellationToken);
        }

        await WaitAsync(async () => !(await Client.Exec.InspectContainerExecAsync(exec.ID, cancellationToken)).Running,
            $"exec {string.Join(' ', command)} in {containerId}", cancellationToken);
    }

    public Task WaitForHealthAsync(string containerId, string status, CancellationToken cancellationToken) =>
        WaitAsync(async () => (await Client.Containers.InspectContainerAsync(containerId, cancellationToken)).State!.Health?.Status == status,
            $"container {containerId} {status}", cancellationToken);

    public Task WaitForStateAsync(string containerId, string status, CancellationToken cancellationToken) =>
        WaitAsync(async () => (await Client.Containers.InspectContainerAsync(containerId, cancellationToken)).State!.Status == status,
            $"container {containerId} {status}", cancellationToken);

    public async Task<ContainerInspectResponse?> TryInspectAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            return await Client.Containers.InspectContainerAsync(containerId, cancellationToken);
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<IList<ContainerListResponse>> ContainersAsync(string scope, CancellationToken cancellationToken) =>
        await Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{RuntimeLabels.Scope}={scope}"] = true },
            },
        }, cancellationToken);

    /// <summary>Removes the containers (and networks) of a scope.</summary>
    public async Task RemoveScopeAsync(string scope)
    {
        if (_client is null)
        {
            return;
        }

        foreach (var container in await ContainersAsync(scope, CancellationToken.None))
        {
            await _client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }

        var networks = await _client.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{RuntimeLabels.Scope}={scope}"] = true },
            },
        }, CancellationToken.None);
        foreach (var network in networks)
        {
            await _client.Networks.DeleteNetworkAsync(network.ID, CancellationToken.None);
        }
    }
}
