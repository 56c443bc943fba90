using System.ComponentModel.DataAnnotations;

namespace Platform.Data.Webhooks;

/// <summary>
/// Where webhooks may point. Plain http and the otherwise refused address classes (loopback, private, link-local, ...)
/// are for development and tests, and only when configured.
/// </summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>Accept <c>http://</c> URLs as well as https.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Host names an operator allows even though they resolve to a refused address.</summary>
    public string[] AllowedHosts { get; set; } = [];

    [Range(1, 100)]
    public int MaxWebhooksPerTenant { get; set; } = 20;
}
