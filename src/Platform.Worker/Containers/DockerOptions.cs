using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Platform.Worker.Containers;

/// <summary>
/// Section <c>Docker</c>: where the Docker engine is, how often agent containers are polled and
/// provisioned, and what an agent container is made of. Validated at start.
/// </summary>
public sealed class DockerOptions
{
    public const string SectionName = "Docker";
    public const string DefaultSocket = "unix:///var/run/docker.sock";

    /// <summary>Off: nothing talks to Docker (the health check reports Degraded); tenants are still activated.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The engine's API endpoint: <c>unix://</c>, <c>tcp://</c>, <c>http(s)://</c> or <c>npipe://</c>.</summary>
    public string Endpoint { get; set; } = DefaultEndpoint();

    /// <summary>
    /// Written as the <c>platform.scope</c> label on every container and network the worker creates, and
    /// required on every container it polls, pauses or removes, so installations (or test runs) that
    /// share one engine never touch each other's containers.
    /// </summary>
    public string Scope { get; set; } = "platform";

    public int PollIntervalSeconds { get; set; } = 15;

    /// <summary>Backoff cap while the engine is unreachable (the delay doubles from the poll interval).</summary>
    public int MaxBackoffSeconds { get; set; } = 300;

    /// <summary>
    /// Containers inspected (and sampled) at the same time. A one-shot stats call waits for the engine's
    /// next once-a-second collection, so a sweep takes about containers / MaxParallelism seconds (bench P6).
    /// </summary>
    public int MaxParallelism { get; set; } = 32;

    /// <summary>Per Docker API call, except the stats sample which has its own.</summary>
    public int RequestTimeoutSeconds { get; set; } = 30;

    public int StatsTimeoutSeconds { get; set; } = 10;

    public string AgentImage { get; set; } = "platform/agent-runtime:latest";

    /// <summary>The API base URL the agents call (PLATFORM_API_URL).</summary>
    public string? ApiBaseUrl { get; set; }

    /// <summary>Network of agent containers when <see cref="NetworkPerTenant"/> is off.</summary>
    public string NetworkMode { get; set; } = "none";

    /// <summary>Each tenant gets a network <c>platform-tenant-{id}</c> that its agents join.</summary>
    public bool NetworkPerTenant { get; set; }

    /// <summary>Docker health check command of agent containers, e.g. <c>["CMD-SHELL", "test -f /tmp/ok || exit 1"]</c>; none when unset.</summary>
    public string[]? HealthCheck { get; set; }

    public int HealthCheckIntervalSeconds { get; set; } = 30;

    public int HealthCheckTimeoutSeconds { get; set; } = 10;

    public int HealthCheckRetries { get; set; } = 3;

    /// <summary>Docker restart policy of agent containers: no, always, on-failure, unless-stopped.</summary>
    public string RestartPolicy { get; set; } = "unless-stopped";

    public int ProvisionIntervalSeconds { get; set; } = 5;

    /// <summary>Agents (and tenants) claimed per provisioning pass.</summary>
    public int ProvisionBatchSize { get; set; } = 20;

    public static string DefaultEndpoint() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : DefaultSocket;

    public TimeSpan PollInterval => TimeSpan.FromSeconds(PollIntervalSeconds);

    public TimeSpan ProvisionInterval => TimeSpan.FromSeconds(ProvisionIntervalSeconds);
}

public sealed partial class DockerOptionsValidator : IValidateOptions<DockerOptions>
{
    private static readonly string[] EndpointSchemes = ["unix", "tcp", "http", "https", "npipe"];
    private static readonly string[] RestartPolicies = ["no", "always", "on-failure", "unless-stopped"];
    private static readonly string[] HealthCheckKinds = ["CMD", "CMD-SHELL", "NONE"];

    public ValidateOptionsResult Validate(string? name, DockerOptions options)
    {
        var errors = new List<string>();
        void Range(int value, int min, int max, string key)
        {
            if (value < min || value > max)
            {
                errors.Add($"Docker:{key} must be between {min} and {max} (is {value}).");
            }
        }

        Range(options.PollIntervalSeconds, 1, 3600, nameof(options.PollIntervalSeconds));
        Range(options.MaxBackoffSeconds, 1, 86400, nameof(options.MaxBackoffSeconds));
        Range(options.MaxParallelism, 1, 64, nameof(options.MaxParallelism));
        Range(options.RequestTimeoutSeconds, 1, 600, nameof(options.RequestTimeoutSeconds));
        Range(options.StatsTimeoutSeconds, 1, 600, nameof(options.StatsTimeoutSeconds));
        Range(options.ProvisionIntervalSeconds, 1, 3600, nameof(options.ProvisionIntervalSeconds));
        Range(options.ProvisionBatchSize, 1, 1000, nameof(options.ProvisionBatchSize));
        Range(options.HealthCheckIntervalSeconds, 1, 3600, nameof(options.HealthCheckIntervalSeconds));
        Range(options.HealthCheckTimeoutSeconds, 1, 3600, nameof(options.HealthCheckTimeoutSeconds));
        Range(options.HealthCheckRetries, 0, 100, nameof(options.HealthCheckRetries));

        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint) || !EndpointSchemes.Contains(endpoint.Scheme))
        {
            errors.Add($"Docker:Endpoint '{options.Endpoint}' is not a Docker endpoint (unix://, tcp://, http(s)://, npipe://).");
        }

        if (string.IsNullOrWhiteSpace(options.Scope) || !ScopePattern().IsMatch(options.Scope))
        {
            errors.Add("Docker:Scope must be 1-63 characters of a-z, 0-9, '.', '_' or '-'.");
        }

        if (string.IsNullOrWhiteSpace(options.AgentImage))
        {
            errors.Add("Docker:AgentImage is required.");
        }

        if (options.ApiBaseUrl is { Length: > 0 } api
            && (!Uri.TryCreate(api, UriKind.Absolute, out var apiUri) || (apiUri.Scheme != Uri.UriSchemeHttp && apiUri.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"Docker:ApiBaseUrl '{api}' must be an absolute http(s) URL.");
        }

        if (!options.NetworkPerTenant && string.IsNullOrWhiteSpace(options.NetworkMode))
        {
            errors.Add("Docker:NetworkMode is required (\"none\" for no network).");
        }

        if (!RestartPolicies.Contains(options.RestartPolicy))
        {
            errors.Add($"Docker:RestartPolicy must be one of {string.Join(", ", RestartPolicies)}.");
        }

        if (options.HealthCheck is { } check)
        {
            if (check.Length == 0 || !HealthCheckKinds.Contains(check[0]))
            {
                errors.Add("Docker:HealthCheck must start with CMD, CMD-SHELL or NONE.");
            }
            else if (check[0] != "NONE" && (check.Length < 2 || check.Skip(1).Any(string.IsNullOrWhiteSpace)))
            {
                errors.Add("Docker:HealthCheck needs a command after " + check[0] + ".");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex ScopePattern();
}
