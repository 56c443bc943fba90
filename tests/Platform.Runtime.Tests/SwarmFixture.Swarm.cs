using System.Diagnostics;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Platform.Runtime.Tests;

/// <summary>Making the private engine a swarm manager (and undoing it), and the agent test image.</summary>
public sealed partial class SwarmFixture
{
    private string? _gatewayBridge;

    /// <summary>
    /// An address and ports of its own, so the swarm never meets another one on this machine (a node listens on its
    /// advertised address for the cluster, 2377, and for gossip, 7946, which cannot be changed; overlay traffic uses
    /// 4789): a loopback address of its own serves. A gateway bridge of its own too: a node joins overlay tasks to
    /// the host through the bridge named by the network docker_gwbridge. No routing mesh (the ingress network):
    /// agents publish no ports, and an engine that has one waits for its removal when it stops.
    /// </summary>
    private async Task InitSwarmAsync(DockerClient client)
    {
        var ct = CancellationToken.None;
        _gatewayBridge = "dgw" + Guid.NewGuid().ToString("N")[..8];
        await client.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = "docker_gwbridge",
            Driver = "bridge",
            IPAM = new IPAM { Config = [new IPAMConfig { Subnet = $"10.199.{Random.Shared.Next(0, 256)}.0/24" }] },
            Options = new Dictionary<string, string>
            {
                ["com.docker.network.bridge.name"] = _gatewayBridge,
                ["com.docker.network.bridge.enable_icc"] = "false",
                ["com.docker.network.bridge.enable_ip_masquerade"] = "false",
            },
        }, ct);

        var address = $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}";
        var clusterPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        await client.Swarm.InitSwarmAsync(new SwarmInitParameters
        {
            ListenAddr = $"{address}:{clusterPort}",
            AdvertiseAddr = $"{address}:{clusterPort}",
            DataPathPort = (uint)FreePort(SocketType.Dgram, ProtocolType.Udp),
        }, ct);
        await client.Networks.DeleteNetworkAsync("ingress", ct);
    }

    /// <summary>The busybox agent image (scripts/build-agent-image.sh) with <see cref="AgentScript"/> as its command.</summary>
    private static async Task CommitAgentImageAsync(DockerClient client)
    {
        var ct = CancellationToken.None;
        var container = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = BaseImage,
            Cmd = ["/bin/sh", "-c", AgentScript],
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, ct);
        try
        {
            var (repository, tag) = (Image[..Image.LastIndexOf(':')], Image[(Image.LastIndexOf(':') + 1)..]);
            await client.Images.CommitContainerChangesAsync(
                new CommitContainerChangesParameters { ContainerID = container.ID, RepositoryName = repository, Tag = tag }, ct);
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, ct);
        }
    }

    /// <summary>
    /// Leaving the swarm removes its networks from this node (their namespaces, mounted in the exec-root, would
    /// otherwise outlive the engine); the task containers stop with the engine, on SIGTERM, which the test image obeys.
    /// </summary>
    private static async Task LeaveSwarmAsync(DockerClient client)
    {
        try
        {
            await client.Swarm.LeaveSwarmAsync(new SwarmLeaveParameters { Force = true }, CancellationToken.None);
        }
        catch (DockerApiException)
        {
            // Stopping the engine comes next; the leftovers are removed after it.
        }
    }

    /// <summary>What the engine leaves on the host: the gateway bridge's interface, and any mount under its folder.</summary>
    private async Task RemoveHostLeftoversAsync(string stateDirectory)
    {
        if (_gatewayBridge is not null)
        {
            await RunAsync("ip", "link", "delete", _gatewayBridge);
        }

        var mounts = File.ReadAllLines("/proc/self/mounts")
            .Select(line => line.Split(' ')[1])
            .Where(path => path.StartsWith(stateDirectory + "/", StringComparison.Ordinal))
            .OrderByDescending(path => path.Length);
        foreach (var mount in mounts)
        {
            await RunAsync("umount", "--lazy", mount);
        }
    }

    private static async Task RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
    }
}
