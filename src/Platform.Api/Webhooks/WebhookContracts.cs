using System.ComponentModel.DataAnnotations;
using Platform.Data.Entities;

namespace Platform.Api.Webhooks;

/// <summary>A webhook as clients see it: never its secret.</summary>
public sealed record WebhookResponse(
    Guid Id, Guid? TenantId, string Url, IReadOnlyList<string> Events, bool Enabled, string? Description, string? DisabledReason,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record CreateWebhookRequest(
    [property: Required, StringLength(2048, MinimumLength = 1)] string Url,
    [property: Required, MinLength(1), MaxLength(6)] string[] Events,
    bool Enabled = true,
    [property: StringLength(500)] string? Description = null);

/// <summary>Only the members sent change.</summary>
public sealed record UpdateWebhookRequest(
    [property: StringLength(2048, MinimumLength = 1)] string? Url = null,
    [property: MinLength(1), MaxLength(6)] string[]? Events = null,
    bool? Enabled = null,
    [property: StringLength(500)] string? Description = null);

/// <summary>The created webhook; <c>secret</c> is shown this once and never again.</summary>
public sealed record CreatedWebhookResponse(WebhookResponse Webhook, string Secret);

/// <summary>The new secret, shown once; the previous one still signs (beside it) until <c>previousSecretExpiresAt</c>.</summary>
public sealed record RotatedWebhookSecretResponse(string Secret, DateTimeOffset PreviousSecretExpiresAt);

/// <summary>One event for one webhook; <c>latencyMs</c> and <c>lastStatusCode</c> are of the last attempt.</summary>
public sealed record WebhookDeliveryResponse(
    Guid Id, Guid EventId, string Event, WebhookDeliveryState State, int AttemptCount, int? LastStatusCode, int? LatencyMs,
    string? LastError, DateTimeOffset? NextAttemptAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The test event queued for the webhook.</summary>
public sealed record WebhookTestResponse(Guid EventId, Guid DeliveryId);
