namespace Platform.Data.Entities;

/// <summary>One HTTP attempt of a delivery, for the deliveries log.</summary>
public class WebhookAttempt
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid? TenantId { get; set; }
    public Guid DeliveryId { get; set; }
    public int? StatusCode { get; set; }
    public int LatencyMs { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset AttemptedAt { get; set; }
}
