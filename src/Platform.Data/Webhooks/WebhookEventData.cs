using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Data.Entities;
using Platform.Data.Resources;

namespace Platform.Data.Webhooks;

/// <summary>
/// The <c>data</c> of each event type: the resource as the API returns it (<see cref="AgentResponse"/>,
/// <see cref="AlertResponse"/>, <see cref="AuditLogResponse"/>), so a receiver parses an event as it parses the API.
/// </summary>
public static class WebhookEventData
{
    /// <summary>The agent as GET /agents/{id} returns it, plus <c>previousStatus</c> (null for a new agent).</summary>
    public static JsonObject AgentStatusChanged(AgentResponse agent, AgentStatus? previousStatus)
    {
        var data = JsonSerializer.SerializeToNode(agent, WebhookOutbox.Json)!.AsObject();
        data["previousStatus"] = JsonSerializer.SerializeToNode(previousStatus, WebhookOutbox.Json);
        return data;
    }

    public static AlertResponse Alert(Alert alert) => AlertProjection.From(alert);

    public static AuditLogResponse Audit(AuditLog row) => AuditLogProjection.From(row);
}
