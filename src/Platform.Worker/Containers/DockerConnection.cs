using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Platform.Worker.Containers;

/// <summary>Labels on agent containers (and tenant networks).</summary>
public static class ContainerLabels
{
    public const string AgentId = "platform.agent-id";
    public const string TenantId = "platform.tenant-id";
    public const string Scope = "platform.scope";

    public static string ContainerName(Guid agentId) => $"platform-agent-{agentId:N}";

    public static string TenantNetwork(Guid tenantId) => $"platform-tenant-{tenantId}";

    /// <summary>List filter: containers of agents in one scope.</summary>
    public static IDictionary<string, IDictionary<string, bool>> AgentFilter(string scope) =>
        new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = new Dictionary<string, bool> { [AgentId] = true, [$"{Scope}={scope}"] = true },
        };
}

/// <summary>One Docker client for the process (poller, provisioner, health check), built from <see cref="DockerOptions"/>.</summary>
public sealed class DockerConnection : IDisposable
{
    private readonly DockerClientConfiguration _configuration;
    private readonly Lazy<DockerClient> _client;

    public DockerConnection(IOptions<DockerOptions> options)
    {
        Options = options.Value;
        _configuration = new DockerClientConfiguration(
            new Uri(Options.Endpoint), defaultTimeout: TimeSpan.FromSeconds(Options.RequestTimeoutSeconds));
        _client = new Lazy<DockerClient>(() => _configuration.CreateClient(), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public DockerOptions Options { get; }

    public string Endpoint => Options.Endpoint;

    public IDockerClient Client => _client.Value;

    /// <summary>Lists the agent containers of this scope (running or not).</summary>
    public Task<IList<ContainerListResponse>> ListAgentContainersAsync(CancellationToken cancellationToken) =>
        Client.Containers.ListContainersAsync(
            new ContainersListParameters { All = true, Filters = ContainerLabels.AgentFilter(Options.Scope) }, cancellationToken);

    /// <summary>Inspect, or null when the container does not exist (any more).</summary>
    public async Task<ContainerInspectResponse?> TryInspectAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await Client.Containers.InspectContainerAsync(id, cancellationToken);
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Force-removes a container; true when it was there.</summary>
    public async Task<bool> ForceRemoveAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await Client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken);
            return true;
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// True for failures that mean "the engine did not answer" (connection refused, missing socket,
    /// timeout), as opposed to an answer with an error status.
    /// </summary>
    public static bool IsUnreachable(Exception ex, CancellationToken callerToken) => ex switch
    {
        DockerApiException => false,
        OperationCanceledException when callerToken.IsCancellationRequested => false,
        HttpRequestException or SocketException or IOException or TimeoutException or OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(inner => IsUnreachable(inner, callerToken)),
        _ => ex.InnerException is { } inner && IsUnreachable(inner, callerToken),
    };

    /// <summary>The engine's own answer (status and body) when there is one, else the exception message.</summary>
    internal static string ErrorText(Exception ex) =>
        ex is DockerApiException api && !string.IsNullOrWhiteSpace(api.ResponseBody)
            ? $"{(int)api.StatusCode} {api.ResponseBody.Trim()}"
            : ex.Message;

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }

        _configuration.Dispose();
    }
}
