using Microsoft.Extensions.Configuration;

namespace Platform.AppHost;

/// <summary>
/// Where agents run: the <c>Runtime:*</c> settings of the worker (which provisions, polls and hibernates them) and of
/// the API (which wakes, restarts and reads the logs of one). Run mode: the AppHost's own <c>Runtime:*</c> keys, and the
/// host's Docker engine when one answers. Publish mode: parameters that <c>azd</c> asks for (backend, endpoint, TLS
/// material, the key as a secret), so a deployment runs agents on the operator's engine or swarm.
/// </summary>
internal static class AgentRuntime
{
    private const string Section = "Runtime";

    public static void Configure(IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> worker, IResourceBuilder<ProjectResource> api)
    {
        var apiUrl = api.GetEndpoint("http");
        if (builder.ExecutionContext.IsPublishMode)
        {
            (string Setting, IResourceBuilder<ParameterResource> Value)[] parameters =
            [
                ("Backend", Parameter(builder, "runtime-backend", "none")),
                ("Endpoint", Parameter(builder, "runtime-endpoint", "")),
                ("CaCertificate", Parameter(builder, "runtime-ca-certificate", "")),
                ("ClientCertificate", Parameter(builder, "runtime-client-certificate", "")),
                ("ClientKey", builder.AddParameter("runtime-client-key", secret: true)),
                ("AgentImage", Parameter(builder, "runtime-agent-image", "platform/agent-runtime:latest")),
                ("Scope", Parameter(builder, "runtime-scope", "platform")),
            ];
            foreach (var service in new[] { worker, api })
            {
                foreach (var (setting, value) in parameters)
                {
                    service.WithEnvironment($"{Section}__{setting}", value);
                }

                service.WithEnvironment("Runtime__ApiBaseUrl", apiUrl);
            }

            return;
        }

        // Run mode: whatever the developer set (user secrets, command line) goes on as it is. Never in publish mode,
        // where it would land in the manifest in clear text.
        foreach (var (key, value) in builder.Configuration.GetSection(Section).AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                worker.WithEnvironment($"{Section}__{key.Replace(":", "__", StringComparison.Ordinal)}", value);
                api.WithEnvironment($"{Section}__{key.Replace(":", "__", StringComparison.Ordinal)}", value);
            }
        }

        var endpoint = builder.Configuration["Runtime:Endpoint"] ?? Environment.GetEnvironmentVariable("DOCKER_HOST");

        // Without an engine that answers, nothing is provisioned and both report Degraded rather than Unhealthy. An endpoint
        // set here (a remote engine behind TLS) is taken as meant: the local CLI could not check it anyway.
        var backend = builder.Configuration["Runtime:Backend"]
            ?? (builder.Configuration["Runtime:Endpoint"] is not null ? "engine" : null)
            ?? (InfrastructureMode.Succeeds("docker", ["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(10)) ? "engine" : "none");
        foreach (var service in new[] { worker, api })
        {
            if (endpoint is not null)
            {
                service.WithEnvironment("Runtime__Endpoint", endpoint);
            }

            service.WithEnvironment("Runtime__Backend", backend)
                .WithEnvironment("Runtime__AgentImage", builder.Configuration["Runtime:AgentImage"] ?? "platform/agent-runtime:latest")
                .WithEnvironment("Runtime__Scope", builder.Configuration["Runtime:Scope"] ?? "platform")
                .WithEnvironment("Runtime__ApiBaseUrl", apiUrl);
        }
    }

    // A published default lets the operator keep it (backend none, no TLS material) without azd insisting on a value.
    private static IResourceBuilder<ParameterResource> Parameter(IDistributedApplicationBuilder builder, string name, string fallback) =>
        builder.AddParameter(name, builder.Configuration[$"Parameters:{name}"] ?? fallback, publishValueAsDefault: true);
}
