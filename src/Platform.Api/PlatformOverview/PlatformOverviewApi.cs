using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.PlatformOverview;

public sealed record PlatformOverviewResponse(
    IReadOnlyDictionary<string, int> TenantsByStatus,
    IReadOnlyDictionary<string, int> TenantsByPlan,
    IReadOnlyDictionary<string, int> AgentsByStatus,
    IReadOnlyDictionary<string, int> OpenAlertsBySeverity);

public static class PlatformOverviewApi
{
    public static RouteGroupBuilder MapPlatformOverview(this RouteGroupBuilder api)
    {
        api.MapGet("/platform/overview", OverviewAsync).WithTags("Platform").RequireAuthorization(Permissions.PlatformManage)
            .WithSummary("Tenants by status and plan, agents by status, open alerts by severity.");
        return api;
    }

    private static async Task<Ok<PlatformOverviewResponse>> OverviewAsync(PlatformReadDbContext db, CancellationToken cancellationToken)
    {
        var tenantsByStatus = await db.Tenants.GroupBy(t => t.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var tenantsByPlan = await db.Tenants.GroupBy(t => t.Plan).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var agentsByStatus = await db.Agents.GroupBy(a => a.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var alerts = await db.Alerts.Where(a => a.ResolvedAt == null).GroupBy(a => a.Severity).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);

        return TypedResults.Ok(new PlatformOverviewResponse(
            Complete<TenantStatus>(tenantsByStatus.ToDictionary(x => x.Key, x => x.Count)),
            Complete<TenantPlan>(tenantsByPlan.ToDictionary(x => x.Key, x => x.Count)),
            Complete<AgentStatus>(agentsByStatus.ToDictionary(x => x.Key, x => x.Count)),
            Complete<AlertSeverity>(alerts.ToDictionary(x => x.Key, x => x.Count))));
    }

    /// <summary>Every value of the enum appears, zero included, so dashboards need no special cases.</summary>
    private static Dictionary<string, int> Complete<T>(Dictionary<T, int> counts) where T : struct, Enum =>
        Enum.GetValues<T>().ToDictionary(
            v => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()),
            v => counts.GetValueOrDefault(v));
}
