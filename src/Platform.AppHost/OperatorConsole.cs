namespace Platform.AppHost;

/// <summary>
/// In run mode the API serves the operator console from web/dist (built by scripts/install-web-tools.sh, which run.sh
/// calls) and the dashboard links to it. A deployment sets Console__Path itself, or serves no console.
/// </summary>
internal static class OperatorConsole
{
    public static void Configure(IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return;
        }

        var dist = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "..", "web", "dist"));
        api.WithEnvironment("Console__Path", dist)
            .WithUrlForEndpoint("http", _ => new ResourceUrlAnnotation { Url = "/console/", DisplayText = "Operator console" });
    }
}
