using Microsoft.Extensions.Configuration;

namespace Platform.AppHost;

/// <summary>
/// Where the worker runs agents (its <c>Runtime:*</c> settings, see the README). Run mode: every <c>Runtime:*</c> key of
/// the AppHost's own configuration is passed on to the worker, and the backend is the host's Docker engine (DOCKER_HOST
/// or the local socket) when one answers, else none (the worker reports Degraded rather than Unhealthy). Publish mode:
/// none unless <c>Runtime:Backend</c> is configured (Azure Container Apps has no Docker daemon).
/// </summary>
internal static class AgentContainers
{
    private const string Section = "Runtime";

    public static void Configure(IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> worker, IResourceBuilder<ProjectResource> api)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            // ==== Publish mode: the remote engine's (or swarm's) endpoint and TLS material as parameters go here ====
            worker.WithEnvironment("Runtime__Backend", builder.Configuration["Runtime:Backend"] ?? "none");
            return;
        }

        // Run mode: whatever the developer set (user secrets, command line) goes to the worker as it is. Never in publish
        // mode, where it would land in the manifest in clear text.
        foreach (var (key, value) in builder.Configuration.GetSection(Section).AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                worker.WithEnvironment($"{Section}__{key.Replace(":", "__", StringComparison.Ordinal)}", value);
            }
        }

        var endpoint = builder.Configuration["Runtime:Endpoint"] ?? Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (endpoint is not null)
        {
            worker.WithEnvironment("Runtime__Endpoint", endpoint);
        }

        // Without an engine that answers, nothing is provisioned and the worker reports Degraded rather than Unhealthy. An
        // endpoint set here (a remote engine behind TLS) is taken as meant: the local CLI could not check it anyway.
        var backend = builder.Configuration["Runtime:Backend"]
            ?? (builder.Configuration["Runtime:Endpoint"] is not null ? "engine" : null)
            ?? (InfrastructureMode.Succeeds("docker", ["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(10)) ? "engine" : "none");
        worker.WithEnvironment("Runtime__Backend", backend)
            .WithEnvironment("Runtime__AgentImage", builder.Configuration["Runtime:AgentImage"] ?? "platform/agent-runtime:latest")
            .WithEnvironment("Runtime__Scope", builder.Configuration["Runtime:Scope"] ?? "platform")
            .WithEnvironment("Runtime__ApiBaseUrl", api.GetEndpoint("http"));
    }
}
