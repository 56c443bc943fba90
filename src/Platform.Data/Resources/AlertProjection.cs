using System.Linq.Expressions;
using Platform.Data.Entities;

namespace Platform.Data.Resources;

/// <summary>An alert as <see cref="AlertResponse"/>, for the API's answers and the webhook events alike.</summary>
public static class AlertProjection
{
    public static readonly Expression<Func<Alert, AlertResponse>> ToResponse = a => new AlertResponse(
        a.Id, a.TenantId, a.AgentId, a.ContainerId, a.Kind, a.Severity,
        a.ResolvedAt != null ? "resolved" : a.AcknowledgedAt != null ? "acknowledged" : "open",
        a.Title, a.Message, a.CreatedAt, a.AcknowledgedAt, a.AcknowledgedByUserId, a.ResolvedAt);

    private static readonly Func<Alert, AlertResponse> Compiled = ToResponse.Compile();

    /// <summary>The same response from an alert held in memory.</summary>
    public static AlertResponse From(Alert alert) => Compiled(alert);
}
