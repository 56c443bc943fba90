namespace Platform.Data.Entities;

/// <summary>
/// An endpoint that receives a tenant's events, signed as Standard Webhooks says. <see cref="TenantId"/> null makes it
/// platform-wide: a platform admin's, receiving the events that belong to no tenant (e.g. <c>docker_unreachable</c>).
/// Row-level security shows such a row only to platform scope, as it does every tenant-less row.
/// </summary>
public class Webhook
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid? TenantId { get; set; }
    public string Url { get; set; } = string.Empty;
    public string[] Events { get; set; } = [];
    public bool Enabled { get; set; } = true;
    public string? Description { get; set; }

    /// <summary>The signing secret (<c>whsec_…</c>), encrypted with Data Protection; never returned after creation.</summary>
    public string SecretCipher { get; set; } = string.Empty;

    /// <summary>The secret before the last rotation, which still signs until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecretCipher { get; set; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    /// <summary>Why the platform disabled it (gone, failing); null when enabled or disabled by a user.</summary>
    public string? DisabledReason { get; set; }

    /// <summary>When its current run of failed deliveries began; cleared by a success.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

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

/// <summary>One event for one webhook: attempted until delivered or out of retries.</summary>
public class WebhookDelivery
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid? TenantId { get; set; }
    public Guid WebhookId { get; set; }
    public Guid EventId { get; set; }
    public string EventType { get; set; } = string.Empty;
    public WebhookDeliveryState State { get; set; } = WebhookDeliveryState.Pending;
    public int AttemptCount { get; set; }
    public int? LastStatusCode { get; set; }
    public int? LastLatencyMs { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

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

/// <summary>Stored as text (<c>pending</c>, <c>delivered</c>, <c>failed</c>).</summary>
public enum WebhookDeliveryState { Pending, Delivered, Failed }
