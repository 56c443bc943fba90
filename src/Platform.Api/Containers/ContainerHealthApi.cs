using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Containers;

/// <summary>The health samples of the agents' containers (<c>/containers/…/health</c>); the service's own /health is in ServiceDefaults.</summary>
public static class ContainerHealthApi
{
    private const int MaxPoints = 10_000;

    public static RouteGroupBuilder MapContainerHealth(this RouteGroupBuilder api)
    {
        var health = api.MapGroup("/containers").WithTags("Health").RequireAuthorization(Permissions.AlertsRead);
        health.MapGet("/health", LatestAsync).WithSummary("The latest sample of each container (the tenant's, or all for platform admins).");
        health.MapGet("/{containerId}/health", SeriesAsync).WithSummary("A container's raw or hourly series between from and to.");
        return api;
    }

    private static readonly Expression<Func<ContainerHealth, ContainerHealthResponse>> ToResponse = h => new ContainerHealthResponse(
        h.ContainerId, h.AgentId, h.TenantId, h.Status, h.CpuPercent, h.MemoryMb, h.MemoryLimitMb, h.RestartCount, h.SampleCount,
        h.Resolution == HealthResolution.Raw ? "raw" : "hour", h.RecordedAt);

    private static async Task<Ok<Page<ContainerHealthResponse>>> LatestAsync(PlatformDbContext db, CancellationToken cancellationToken)
    {
        // Raw samples live 24 hours; a container silent for longer is gone from this view.
        var since = DateTimeOffset.UtcNow.AddHours(-24);
        var latest = await db.ContainerHealth
            .FromSql($"SELECT DISTINCT ON (container_id) * FROM container_health WHERE resolution = 'raw' AND recorded_at >= {since} ORDER BY container_id, recorded_at DESC")
            .AsNoTracking()
            .Select(ToResponse)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<ContainerHealthResponse>([.. latest.OrderBy(h => h.ContainerId, StringComparer.Ordinal)], null));
    }

    private static async Task<Results<Ok<HealthSeries>, ProblemHttpResult>> SeriesAsync(
        string containerId, [AsParameters] ContainerHealthSeriesQuery query, PlatformReadDbContext db, CancellationToken cancellationToken)
    {
        if (containerId.Length > 128)
        {
            return Problems.Validation("containerId", "At most 128 characters.");
        }

        var to = (query.To ?? DateTimeOffset.UtcNow).ToUniversalTime();
        var from = (query.From ?? to.AddHours(-1)).ToUniversalTime();
        if (from >= to || to - from > TimeSpan.FromDays(31))
        {
            return Problems.Validation("from", "from must be before to, within 31 days.");
        }

        var resolution = query.Resolution?.Value ?? (to - from > TimeSpan.FromHours(24) ? HealthResolution.Hour : HealthResolution.Raw);
        var points = await db.ContainerHealth.AsNoTracking()
            .Where(h => h.ContainerId == containerId && h.Resolution == resolution && h.RecordedAt >= from && h.RecordedAt < to)
            .OrderBy(h => h.RecordedAt)
            .Take(MaxPoints)
            .Select(ToResponse)
            .ToListAsync(cancellationToken);
        if (points.Count == 0 && !await db.ContainerHealth.AnyAsync(h => h.ContainerId == containerId, cancellationToken))
        {
            return Problems.NotFound("container");
        }

        return TypedResults.Ok(new HealthSeries(containerId, resolution == HealthResolution.Raw ? "raw" : "hour", from, to, points));
    }
}
