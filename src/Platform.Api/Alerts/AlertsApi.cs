using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Resources;

namespace Platform.Api.Alerts;

public static class AlertsApi
{
    public static RouteGroupBuilder MapAlerts(this RouteGroupBuilder api)
    {
        var alerts = api.MapGroup("/alerts").WithTags("Alerts");
        alerts.MapGet("/", ListAsync).RequireAuthorization(Permissions.AlertsRead)
            .WithSummary("Alerts, newest first; filters severity and state (open | acknowledged | resolved).");
        alerts.MapPost("/{id:guid}/acknowledge", AcknowledgeAsync).RequireAuthorization(Permissions.AlertsManage)
            .WithSummary("Acknowledge an open alert.");
        alerts.MapPost("/{id:guid}/resolve", ResolveAsync).RequireAuthorization(Permissions.AlertsManage)
            .WithSummary("Resolve an alert.");
        return api;
    }

    private static async Task<Results<Ok<Page<AlertResponse>>, ProblemHttpResult>> ListAsync(
        [AsParameters] AlertListQuery filter, [AsParameters] PageRequest page, PlatformDbContext db, CancellationToken cancellationToken)
    {
        if (page.Validate() is { } invalid)
        {
            return invalid;
        }

        var alerts = db.Alerts.AsNoTracking();
        if (filter.Severity is { } severity)
        {
            alerts = alerts.Where(a => a.Severity == severity.Value);
        }

        alerts = filter.State?.Value switch
        {
            AlertState.Open => alerts.Where(a => a.ResolvedAt == null && a.AcknowledgedAt == null),
            AlertState.Acknowledged => alerts.Where(a => a.ResolvedAt == null && a.AcknowledgedAt != null),
            AlertState.Resolved => alerts.Where(a => a.ResolvedAt != null),
            _ => alerts,
        };
        return TypedResults.Ok(await alerts.ToPageAsync(page, a => a.Id, AlertProjection.ToResponse, r => r.Id, cancellationToken: cancellationToken));
    }

    private static Task<Results<Ok<AlertResponse>, ProblemHttpResult>> AcknowledgeAsync(
        Guid id, PlatformDbContext db, CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken) =>
        ChangeAsync(id, db, caller, audit, acknowledge: true, cancellationToken);

    private static Task<Results<Ok<AlertResponse>, ProblemHttpResult>> ResolveAsync(
        Guid id, PlatformDbContext db, CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken) =>
        ChangeAsync(id, db, caller, audit, acknowledge: false, cancellationToken);

    private static async Task<Results<Ok<AlertResponse>, ProblemHttpResult>> ChangeAsync(
        Guid id, PlatformDbContext db, CurrentUser caller, AuditTrail audit, bool acknowledge, CancellationToken cancellationToken)
    {
        var alert = await db.Alerts.FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (alert is null)
        {
            return Problems.NotFound("alert");
        }

        if (alert.ResolvedAt is not null || (acknowledge && alert.AcknowledgedAt is not null))
        {
            return Problems.Conflict(alert.ResolvedAt is not null ? "The alert is resolved." : "The alert is already acknowledged.");
        }

        var actor = caller.Required;
        var now = DateTimeOffset.UtcNow;
        if (acknowledge)
        {
            alert.AcknowledgedAt = now;
            alert.AcknowledgedByUserId = actor.Type == AuditActorType.User ? actor.Id : null;
        }
        else
        {
            alert.ResolvedAt = now;
        }

        // The target is the alert's agent; a platform-wide alert has none, and then the alert itself stands for it.
        audit.Record(db, new AuditEntry(acknowledge ? "alert.acknowledged" : "alert.resolved", AuditTargetType.Agent, alert.AgentId ?? alert.Id)
        {
            TenantId = alert.TenantId, PlatformRow = alert.TenantId is null,
            Details = new Dictionary<string, object?> { ["alertId"] = alert.Id, ["kind"] = alert.Kind },
        });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(AlertProjection.From(alert));
    }
}
