namespace Platform.Api.RuntimeDocument;

public sealed class ModelProvider
{
    public string? ApiKey { get; set; }

    public string? BaseUrl { get; set; }

    public bool IsConfigured => !string.IsNullOrEmpty(ApiKey) || !string.IsNullOrEmpty(BaseUrl);

    // The key is a secret: keep it out of logs and exception messages.
    public override string ToString() => $"ModelProvider {{ BaseUrl = {BaseUrl} }}";
}
