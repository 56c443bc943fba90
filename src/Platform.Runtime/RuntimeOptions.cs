using System.ComponentModel.DataAnnotations;

namespace Platform.Runtime;

/// <summary>
/// Section <c>Runtime</c>: which runtime the agents run on and how to reach it, and what an agent workload is made of.
/// Validated at start (<see cref="RuntimeOptionsValidator"/>); the API and the worker read the same section.
/// </summary>
public sealed class RuntimeOptions
{
    public const string SectionName = "Runtime";
    public const string DefaultSocket = "unix:///var/run/docker.sock";

    /// <summary><c>engine</c> (a Docker engine), <c>swarm</c> (a Docker Swarm manager) or <c>none</c>.</summary>
    public string Backend { get; set; } = "engine";

    /// <summary>
    /// The engine's or manager's API: <c>unix://</c>, <c>npipe://</c>, or <c>tcp://host:2376</c> with TLS client
    /// certificates. Defaults to <c>DOCKER_HOST</c>, else the local socket.
    /// </summary>
    public string Endpoint
    {
        get => _endpoint;

        // An empty value (a deployment parameter left blank) means the default, not an endpoint.
        set => _endpoint = string.IsNullOrWhiteSpace(value) ? DefaultEndpoint() : value.Trim();
    }

    private string _endpoint = DefaultEndpoint();

    /// <summary>A folder with <c>ca.pem</c>, <c>cert.pem</c> and <c>key.pem</c> (as <c>docker --tlsverify</c> uses them).</summary>
    public string? CertificateDirectory { get; set; }

    /// <summary>The CA that signed the engine's server certificate, PEM text (instead of a folder; e.g. a secret parameter).</summary>
    public string? CaCertificate { get; set; }

    /// <summary>This client's certificate, PEM text.</summary>
    public string? ClientCertificate { get; set; }

    /// <summary>This client's private key, PEM text (a secret).</summary>
    public string? ClientKey { get; set; }

    /// <summary>A plain <c>tcp://</c> endpoint without TLS is refused unless this is set; a warning is logged when it is.</summary>
    public bool AllowInsecure { get; set; }

    /// <summary>
    /// Written as the <c>platform.scope</c> label on every workload and network the platform creates, and required on
    /// every one it touches, so installations (or test runs) that share a runtime never touch each other's.
    /// </summary>
    public string Scope { get; set; } = "platform";

    public string AgentImage { get; set; } = "platform/agent-runtime:latest";

    /// <summary>The API base URL the agents call (PLATFORM_API_URL).</summary>
    public string? ApiBaseUrl { get; set; }

    /// <summary>
    /// Network of agent workloads when <see cref="NetworkPerTenant"/> is off (<c>none</c>: no network). On a swarm it
    /// names a swarm network (overlay) or <c>host</c>; a manager refuses <c>none</c> as a service network, so there
    /// <c>none</c> attaches none, and the task runs in its node's default network mode (the node engine's default
    /// bridge, unless that engine runs with <c>--bridge=none</c>).
    /// </summary>
    public string NetworkMode { get; set; } = "none";

    /// <summary>Each tenant gets a network <c>platform-tenant-{id}</c> that its agents join (an overlay network on a swarm).</summary>
    public bool NetworkPerTenant { get; set; }

    /// <summary>Health check command of agent workloads, e.g. <c>["CMD-SHELL", "test -f /tmp/ok || exit 1"]</c>; none when unset.</summary>
    public string[]? HealthCheck { get; set; }

    [Range(1, 3600, ErrorMessage = "Runtime:HealthCheckIntervalSeconds must be between {1} and {2}.")]
    public int HealthCheckIntervalSeconds { get; set; } = 30;

    [Range(1, 3600, ErrorMessage = "Runtime:HealthCheckTimeoutSeconds must be between {1} and {2}.")]
    public int HealthCheckTimeoutSeconds { get; set; } = 10;

    [Range(0, 100, ErrorMessage = "Runtime:HealthCheckRetries must be between {1} and {2}.")]
    public int HealthCheckRetries { get; set; } = 3;

    /// <summary>Engine restart policy of agent containers: no, always, on-failure, unless-stopped.</summary>
    public string RestartPolicy { get; set; } = "unless-stopped";

    /// <summary>How long a stopping workload gets between SIGTERM and SIGKILL.</summary>
    [Range(0, 600, ErrorMessage = "Runtime:StopGracePeriodSeconds must be between {1} and {2}.")]
    public int StopGracePeriodSeconds { get; set; } = 10;

    /// <summary>Workloads inspected (and sampled) at the same time during an observation.</summary>
    [Range(1, 64, ErrorMessage = "Runtime:MaxParallelism must be between {1} and {2}.")]
    public int MaxParallelism { get; set; } = 32;

    /// <summary>Per runtime call, except the stats sample and log streams, which have their own.</summary>
    [Range(1, 600, ErrorMessage = "Runtime:RequestTimeoutSeconds must be between {1} and {2}.")]
    public int RequestTimeoutSeconds { get; set; } = 30;

    [Range(1, 600, ErrorMessage = "Runtime:StatsTimeoutSeconds must be between {1} and {2}.")]
    public int StatsTimeoutSeconds { get; set; } = 10;

    public RuntimeBackend BackendKind => Backend.Trim().ToLowerInvariant() switch
    {
        "engine" => RuntimeBackend.Engine,
        "swarm" => RuntimeBackend.Swarm,
        _ => RuntimeBackend.None,
    };

    public bool HasTls => !string.IsNullOrWhiteSpace(CertificateDirectory) || !string.IsNullOrWhiteSpace(ClientCertificate);

    public static string DefaultEndpoint() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : DefaultSocket;
}
