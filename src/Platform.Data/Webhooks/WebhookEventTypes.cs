namespace Platform.Data.Webhooks;

/// <summary>The event types a webhook may subscribe to; <c>webhook.test</c> is sent only on request.</summary>
public static class WebhookEventTypes
{
    public const string AlertRaised = "alert.raised";
    public const string AlertAcknowledged = "alert.acknowledged";
    public const string AlertResolved = "alert.resolved";
    public const string AgentStatusChanged = "agent.status_changed";
    public const string AuditCritical = "audit.critical";
    public const string WebhookTest = "webhook.test";

    public static readonly string[] All = [AlertRaised, AlertAcknowledged, AlertResolved, AgentStatusChanged, AuditCritical, WebhookTest];
}
