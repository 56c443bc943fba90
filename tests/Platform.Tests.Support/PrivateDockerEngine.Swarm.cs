using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Platform.Tests.Support;

/// <summary>Making a private engine a single-node swarm manager, and undoing it with what it leaves on the host.</summary>
public sealed partial class PrivateDockerEngine
{
    private string? _gatewayBridge;

    public bool IsSwarmManager { get; private set; }

    /// <summary>Starts a private engine and makes it a swarm manager on a loopback address and ports of its own.</summary>
    public static async Task<PrivateDockerEngine> StartSwarmManagerAsync(string? directory = null)
    {
        var engine = await StartAsync(directory: directory ?? NewStateDirectory("psw-"));
        try
        {
            await engine.InitSwarmAsync();
            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    /// <summary>A port nothing is bound to now (TCP or UDP), in the range a swarm accepts for its ports.</summary>
    public static int FreeSwarmPort(SocketType type, ProtocolType protocol)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20000, 49151);
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
                socket.Bind(new IPEndPoint(IPAddress.Any, port));
                return port;
            }
            catch (SocketException) when (attempt < 50)
            {
            }
        }
    }

    /// <summary>
    /// An address and ports of its own, so the swarm never meets another one on this machine (a node listens on its
    /// advertised address for the cluster, 2377, and for gossip, 7946, which cannot be changed; overlay traffic uses
    /// 4789): a loopback address of its own serves. A gateway bridge of its own too: a node joins overlay tasks to
    /// the host through the bridge named by the network docker_gwbridge. No routing mesh (the ingress network):
    /// agents publish no ports, and an engine that has one waits for its removal when it stops.
    /// </summary>
    private async Task InitSwarmAsync()
    {
        var ct = CancellationToken.None;
        using var client = new DockerClientBuilder().WithEndpoint(new Uri(Endpoint)).Build();
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
        var clusterPort = FreeSwarmPort(SocketType.Stream, ProtocolType.Tcp);
        await client.Swarm.InitSwarmAsync(new SwarmInitParameters
        {
            ListenAddr = $"{address}:{clusterPort}",
            AdvertiseAddr = $"{address}:{clusterPort}",
            DataPathPort = (uint)FreeSwarmPort(SocketType.Dgram, ProtocolType.Udp),
        }, ct);
        IsSwarmManager = true;
        await client.Networks.DeleteNetworkAsync("ingress", ct);
    }

    /// <summary>
    /// Leaving the swarm removes its networks from this node (their namespaces, mounted in the exec-root, would
    /// otherwise outlive the engine); the task containers stop with the engine, on SIGTERM.
    /// </summary>
    private async Task LeaveSwarmAsync()
    {
        if (!IsSwarmManager)
        {
            return;
        }

        try
        {
            using var client = new DockerClientBuilder().WithEndpoint(new Uri(Endpoint)).Build();
            await client.Swarm.LeaveSwarmAsync(new SwarmLeaveParameters { Force = true }, CancellationToken.None);
            IsSwarmManager = false;
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException)
        {
            // Stopping the engine comes next; the leftovers are removed after it.
        }
    }

    /// <summary>What the engine leaves on the host: a swarm's gateway bridge interface, and any mount under its folder.</summary>
    private async Task RemoveHostLeftoversAsync()
    {
        if (_gatewayBridge is not null)
        {
            await RunToolAsync("ip", "link", "delete", _gatewayBridge);
            _gatewayBridge = null;
        }

        var mounts = File.ReadAllLines("/proc/self/mounts")
            .Select(line => line.Split(' ')[1])
            .Where(path => path.StartsWith(StateDirectory + "/", StringComparison.Ordinal))
            .OrderByDescending(path => path.Length);
        foreach (var mount in mounts)
        {
            await RunToolAsync("umount", "--lazy", mount);
        }
    }

    private static async Task RunToolAsync(string command, params string[] arguments)
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
