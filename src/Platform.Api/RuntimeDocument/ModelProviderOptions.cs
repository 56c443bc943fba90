namespace Platform.Api.RuntimeDocument;

/// <summary>
/// The model providers' credentials agent runtimes get in their runtime document: section <c>ModelProviders</c>, one child
/// per provider (<c>ModelProviders:anthropic:ApiKey</c>, optional <c>BaseUrl</c>). They come from configuration (Aspire
/// parameters), never from the database. A provider with neither value, such as an unused deploy parameter left empty, is
/// left out.
/// </summary>
public sealed class ModelProviderOptions
{
    public const string SectionName = "ModelProviders";

    public Dictionary<string, ModelProvider> Providers { get; } = new(StringComparer.Ordinal);

    /// <summary>The providers that have a key or an address, by name.</summary>
    public IEnumerable<KeyValuePair<string, ModelProvider>> Configured =>
        Providers.Where(p => p.Value.IsConfigured).OrderBy(p => p.Key, StringComparer.Ordinal);

    public static void Bind(ModelProviderOptions options, IConfiguration configuration) =>
        configuration.GetSection(SectionName).Bind(options.Providers, binder => binder.ErrorOnUnknownConfiguration = true);
}
