namespace Platform.Data.Entities;

/// <summary>
/// The outbox: one row per event, written in the transaction of the change that caused it. The worker fans it out into
/// a <see cref="WebhookDelivery"/> per matching webhook and marks it dispatched.
/// </summary>
public class WebhookEvent
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid? TenantId { get; set; }
    public string Type { get; set; } = string.Empty;

    /// <summary>The resource as the API returns it.</summary>
    public System.Text.Json.JsonDocument Data { get; set; } = System.Text.Json.JsonDocument.Parse("{}");

    /// <summary>The W3C traceparent of the transaction that wrote it, so delivery spans link back to it.</summary>
    public string? TraceParent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DispatchedAt { get; set; }
}
