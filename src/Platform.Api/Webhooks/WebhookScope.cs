using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Api.Team;
using Platform.Data.Entities;

namespace Platform.Api.Webhooks;

/// <summary>
/// Whose webhooks a request acts on: a tenant admin's own tenant; a platform admin's named tenant (<c>?tenantId=</c>) or,
/// without one, the platform-wide webhooks (tenant null) that receive the events belonging to no tenant.
/// </summary>
internal static class WebhookScope
{
    public static (Guid? TenantId, ProblemHttpResult? Problem) Resolve(CurrentUser caller, TenantSelector selector)
    {
        var actor = caller.Required;
        if (actor.IsPlatformAdmin)
        {
            return (selector.TenantId, null);
        }

        if (actor.TenantId is not { } own || (selector.TenantId is { } other && other != own))
        {
            return (null, Problems.NotFound("tenant"));
        }

        return (own, null);
    }

    /// <summary>
    /// The audit row of a change to a webhook: about its tenant (the data model's target types name no webhook), with the
    /// webhook in the details; a platform-wide webhook's row belongs to no tenant.
    /// </summary>
    public static AuditEntry Audit(string action, Webhook webhook, AuditSeverity severity = AuditSeverity.Info, Guid? deliveryId = null) =>
        new(action, AuditTargetType.Tenant, webhook.TenantId, severity)
        {
            PlatformRow = webhook.TenantId is null,
            Details = deliveryId is null
                ? new Dictionary<string, object?> { ["webhookId"] = webhook.Id }
                : new Dictionary<string, object?> { ["webhookId"] = webhook.Id, ["deliveryId"] = deliveryId },
        };
}
