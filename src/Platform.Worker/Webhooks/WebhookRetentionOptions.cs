using System.ComponentModel.DataAnnotations;

namespace Platform.Worker.Webhooks;

/// <summary>How long the worker keeps webhook events and their delivery log (section <c>Webhooks</c>).</summary>
public sealed class WebhookRetentionOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>Finished deliveries (delivered or failed), their attempts, and events left without deliveries, go after this.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;
}
