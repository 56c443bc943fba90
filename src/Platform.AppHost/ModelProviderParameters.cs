namespace Platform.AppHost;

/// <summary>
/// The model providers' API keys, which agents receive in their runtime document: secret parameters <c>{provider}-api-key</c>,
/// passed to the API as <c>ModelProviders__{provider}__ApiKey</c>. In run mode only a parameter that has a value is added:
/// Aspire holds every resource that references a parameter without one until a value is entered in the dashboard (and fails
/// it when there is no dashboard, as under Aspire.Hosting.Testing), so an unused provider would keep the API from starting. When published they are always declared; left empty, the provider is
/// left out of the runtime document. <c>ModelProviders:{provider}:BaseUrl</c>, when set here, is passed on as it is.
/// </summary>
internal static class ModelProviderParameters
{
    public static readonly string[] Providers = ["anthropic", "openai"];

    public static void Configure(IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api)
    {
        foreach (var provider in Providers)
        {
            var parameter = $"{provider}-api-key";
            if (builder.ExecutionContext.IsPublishMode || !string.IsNullOrEmpty(builder.Configuration[$"Parameters:{parameter}"]))
            {
                api.WithEnvironment($"ModelProviders__{provider}__ApiKey", builder.AddParameter(parameter, secret: true));
            }

            if (builder.Configuration[$"ModelProviders:{provider}:BaseUrl"] is { Length: > 0 } baseUrl)
            {
                api.WithEnvironment($"ModelProviders__{provider}__BaseUrl", baseUrl);
            }
        }
    }
}
