using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Platform.Runtime.Tests;

/// <summary>What the tests check on the manager directly: task containers, exec in them, and scope clean-up.</summary>
public sealed partial class SwarmFixture
{
    /// <summary>An agent's workload spec with <c>GREETING</c> in its environment (the test image prints it).</summary>
    public static AgentWorkloadSpec Spec(
        Guid tenantId, string greeting, Guid? agentId = null, decimal cpu = 0.5m, int memoryMb = 64, int tickSeconds = 1) =>
        new(agentId ?? Guid.NewGuid(), tenantId, new Dictionary<string, string>
        {
            ["GREETING"] = greeting,
            ["PLATFORM_API_KEY"] = "secret-" + greeting,
            ["TICK"] = tickSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, cpu, memoryMb);

    /// <summary>The running containers of a service's tasks on this (the only) node.</summary>
    public async Task<IList<ContainerListResponse>> TaskContainersAsync(string serviceId, CancellationToken cancellationToken) =>
        await Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"com.docker.swarm.service.id={serviceId}"] = true },
            },
        }, cancellationToken);

    public async Task<string> TaskContainerAsync(string serviceId, CancellationToken cancellationToken)
    {
        IList<ContainerListResponse> containers = [];
        await WaitForAsync(async () => (containers = await TaskContainersAsync(serviceId, cancellationToken)).Count == 1,
            $"one running task container of {serviceId}", cancellationToken);
        return containers[0].ID;
    }

    /// <summary>Runs a command in the container and waits for it to finish.</summary>
    public async Task ExecAsync(string containerId, CancellationToken cancellationToken, params string[] command)
    {
        var exec = await Client.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters { Cmd = command }, cancellationToken);
        using var output = await Client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), cancellationToken);
        await WaitForAsync(async () => !(await Client.Exec.InspectContainerExecAsync(exec.ID, cancellationToken)).Running,
            $"exec {string.Join(' ', command)} in {containerId}", cancellationToken);
    }

    /// <summary>Removes the services and networks of a scope (what a test leaves behind).</summary>
    public async Task RemoveScopeAsync(string scope)
    {
        if (_client is null)
        {
            return;
        }

        var filter = new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = new Dictionary<string, bool> { [$"{RuntimeLabels.Scope}={scope}"] = true },
        };
        foreach (var service in await _client.Swarm.ListServicesAsync(new ServiceListParameters { Filters = filter }, CancellationToken.None))
        {
            await _client.Swarm.RemoveServiceAsync(service.ID, CancellationToken.None);
        }

        foreach (var network in await _client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }, CancellationToken.None))
        {
            // In use until the removed services' tasks are gone.
            await WaitForAsync(async () =>
            {
                try
                {
                    await _client.Networks.DeleteNetworkAsync(network.ID, CancellationToken.None);
                    return true;
                }
                catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    return true;
                }
                catch (DockerApiException)
                {
                    return false;
                }
            }, $"network {network.Name} removed", CancellationToken.None, timeoutSeconds: 20, fail: false);
        }
    }

    public static async Task WaitForAsync(
        Func<Task<bool>> condition, string what, CancellationToken cancellationToken, int timeoutSeconds = 30, bool fail = true)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(timeoutSeconds))
            {
                if (fail)
                {
                    Assert.Fail($"Timed out after {timeoutSeconds} s waiting for {what}.");
                }

                return;
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
