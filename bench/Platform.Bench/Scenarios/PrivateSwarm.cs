using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Platform.Bench;

/// <summary>
/// A single-node swarm on a private engine of its own (scripts/docker-engine.sh), next to the bench's engine, as
/// tests/Platform.Runtime.Tests/SwarmFixture starts one: a random 127.x.y.z advertise address and free ports, its own
/// gateway bridge name, no ingress network; the agent images built on it. Disposing leaves the swarm, stops the engine
/// and removes what it leaves on the host.
/// </summary>
internal sealed class PrivateSwarm : IAsyncDisposable
{
    private readonly string _state;
    private readonly string _gatewayBridge = "dgw" + Guid.NewGuid().ToString("N")[..8];

    private PrivateSwarm(string state, string endpoint)
    {
        _state = state;
        Endpoint = endpoint;
        Client = new DockerClientBuilder().WithEndpoint(new Uri(endpoint)).WithTimeout(TimeSpan.FromSeconds(60)).Build();
    }

    public string Endpoint { get; }
    public DockerClient Client { get; }

    public static async Task<PrivateSwarm> StartAsync()
    {
        // Short: the socket path must fit a unix socket address.
        var state = Path.Combine(Path.GetTempPath(), "bsw-" + Guid.NewGuid().ToString("N")[..8]);
        var endpoint = (await Tools.RunAsync("bash", [Script, "start", state])).Trim();
        var swarm = new PrivateSwarm(state, endpoint);
        try
        {
            await swarm.InitAsync();
            await AgentImages.BuildAsync(endpoint);
            return swarm;
        }
        catch
        {
            await swarm.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.Swarm.LeaveSwarmAsync(new SwarmLeaveParameters { Force = true });
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException)
        {
            // Stopping the engine comes next; its leftovers are removed after it.
        }

        Client.Dispose();
        await Tools.RunAsync("bash", [Script, "stop", _state]);
        await QuietlyAsync("ip", "link", "delete", _gatewayBridge);
        foreach (var mount in File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1])
            .Where(p => p.StartsWith(_state + "/", StringComparison.Ordinal)).OrderByDescending(p => p.Length))
        {
            await QuietlyAsync("umount", "--lazy", mount);
        }

        try
        {
            Directory.Delete(_state, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.WriteLine($"swarm: {_state} left behind: {ex.Message}");
        }
    }

    private static string Script => Path.Combine(BenchEnvironment.RepositoryRoot, "scripts", "docker-engine.sh");

    /// <summary>
    /// A node listens on its advertised address for the cluster and for gossip (port 7946, fixed), so a loopback address
    /// of its own keeps it from meeting another swarm on this machine; overlay tasks reach the host through the bridge
    /// that the network docker_gwbridge names, here one of its own.
    /// </summary>
    private async Task InitAsync()
    {
        await Client.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = "docker_gwbridge",
            Driver = "bridge",
            IPAM = new IPAM { Config = [new IPAMConfig { Subnet = $"10.198.{Random.Shared.Next(0, 256)}.0/24" }] },
            Options = new Dictionary<string, string>
            {
                ["com.docker.network.bridge.name"] = _gatewayBridge,
                ["com.docker.network.bridge.enable_icc"] = "false",
                ["com.docker.network.bridge.enable_ip_masquerade"] = "false",
            },
        });
        var address = $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}:{FreePort(SocketType.Stream, ProtocolType.Tcp)}";
        await Client.Swarm.InitSwarmAsync(new SwarmInitParameters
        {
            ListenAddr = address,
            AdvertiseAddr = address,
            DataPathPort = (uint)FreePort(SocketType.Dgram, ProtocolType.Udp),
        });
        await Client.Networks.DeleteNetworkAsync("ingress");
    }

    private static async Task QuietlyAsync(string file, params string[] arguments)
    {
        try
        {
            await Tools.RunAsync(file, arguments);
        }
        catch (InvalidOperationException ex)
        {
            Console.WriteLine($"swarm clean-up: {ex.Message.Trim()}");
        }
    }

    /// <summary>A port nothing is bound to now, in the range a swarm accepts.</summary>
    private static int FreePort(SocketType type, ProtocolType protocol)
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
}
