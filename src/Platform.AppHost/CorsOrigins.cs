using Microsoft.Extensions.Configuration;

namespace Platform.AppHost;

/// <summary>
/// The browser origins the API answers (<c>Cors__AllowedOrigins</c>, comma-separated). Run mode allows the web console's
/// development server out of the box, plus any <c>Cors:AllowedOrigins</c> of the AppHost's configuration; a deployment
/// takes the parameter <c>cors-allowed-origins</c>, empty (no browser origin) unless the operator lists some.
/// </summary>
internal static class CorsOrigins
{
    /// <summary>Where the web console's development server runs (README, "Pointing a frontend at Platform").</summary>
    public const string DevelopmentOrigin = "http://localhost:5173";

    public const string ParameterName = "cors-allowed-origins";

    public static void Configure(IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            var origins = builder.AddParameter(ParameterName, builder.Configuration[$"Parameters:{ParameterName}"] ?? "", publishValueAsDefault: true);
            api.WithEnvironment("Cors__AllowedOrigins", origins);
            return;
        }

        var section = builder.Configuration.GetSection("Cors:AllowedOrigins");
        var configured = section.Value is { Length: > 0 } list ? list.Split(',') : section.Get<string[]>() ?? [];
        string[] allowed = [.. new[] { DevelopmentOrigin }.Concat(configured).Select(o => o.Trim()).Where(o => o.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
        api.WithEnvironment("Cors__AllowedOrigins", string.Join(',', allowed));
    }
}
