using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Metrics;

public static class MetricsApi
{
    public static RouteGroupBuilder MapMetrics(this RouteGroupBuilder api)
    {
        api.MapPost("/agents/{id:guid}/metrics", UpsertAsync).WithTags("Metrics").RequireAuthorization(Permissions.MetricsWrite)
            .WithSummary("Record one period's metrics (upsert per agent, period start and length).");
        api.MapGet("/agents/{id:guid}/metrics", SeriesAsync).WithTags("Metrics").RequireAuthorization(Permissions.AgentsRead)
            .WithSummary("The agent's metric series between from and to (default: the last 24 hours).");
        api.MapGet("/metrics/summary", SummaryAsync).WithTags("Metrics").RequireAuthorization(Permissions.AgentsRead)
            .WithSummary("Totals of the tenant's agents between from and to.");
        return api;
    }

    private static async Task<Results<Ok<MetricPoint>, ProblemHttpResult>> UpsertAsync(
        Guid id, PostMetricRequest request, PlatformDbContext db, CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken)
    {
        // A runtime key posts for its own agent only; to it, every other agent is missing.
        if (!caller.Required.MayActFor(id))
        {
            return Problems.NotFound("agent");
        }

        var agent = await db.Agents.AsNoTracking().Where(a => a.Id == id).Select(a => new { a.TenantId }).FirstOrDefaultAsync(cancellationToken);
        if (agent is null)
        {
            return Problems.NotFound("agent");
        }

        var start = request.PeriodStart!.Value.ToUniversalTime();
        var minutes = request.PeriodMinutes!.Value;
        var now = DateTimeOffset.UtcNow;
        var metric = await db.AgentMetrics.FirstOrDefaultAsync(m => m.AgentId == id && m.PeriodStart == start && m.PeriodMinutes == minutes, cancellationToken);
        if (metric is null)
        {
            metric = new AgentMetric { TenantId = agent.TenantId, AgentId = id, PeriodStart = start, PeriodMinutes = minutes, CreatedAt = now };
            db.AgentMetrics.Add(metric);
        }

        metric.TasksCompleted = request.TasksCompleted;
        metric.Messages = request.Messages;
        metric.TokensIn = request.TokensIn;
        metric.TokensOut = request.TokensOut;
        metric.Errors = request.Errors;
        metric.AvgResponseMs = request.AvgResponseMs;
        metric.CostUsd = request.CostUsd;
        metric.UpdatedAt = now;
        audit.Record(db, new AuditEntry("agent.metrics_recorded", AuditTargetType.Agent, id));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("Another writer recorded this period at the same moment; retry.");
        }

        return TypedResults.Ok(ToPoint(metric));
    }

    private static async Task<Results<Ok<MetricSeries>, ProblemHttpResult>> SeriesAsync(
        Guid id, [AsParameters] MetricRange range, PlatformReadDbContext db, CancellationToken cancellationToken)
    {
        var (from, to, error) = range.Resolve();
        if (error is not null)
        {
            return Problems.Validation("from", error);
        }

        if (!await db.Agents.AnyAsync(a => a.Id == id, cancellationToken))
        {
            return Problems.NotFound("agent");
        }

        var points = await db.AgentMetrics.AsNoTracking()
            .Where(m => m.AgentId == id && m.PeriodStart >= from && m.PeriodStart < to)
            .OrderBy(m => m.PeriodStart).ThenBy(m => m.PeriodMinutes)
            .Select(m => new MetricPoint(m.PeriodStart, m.PeriodMinutes, m.TasksCompleted, m.Messages, m.TokensIn, m.TokensOut, m.Errors, m.AvgResponseMs, m.CostUsd))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new MetricSeries(id, from, to, points));
    }

    private static async Task<Results<Ok<MetricSummary>, ProblemHttpResult>> SummaryAsync(
        [AsParameters] MetricRange range, PlatformReadDbContext db, CancellationToken cancellationToken)
    {
        var (from, to, error) = range.Resolve();
        if (error is not null)
        {
            return Problems.Validation("from", error);
        }

        var totals = await db.AgentMetrics.AsNoTracking()
            .Where(m => m.PeriodStart >= from && m.PeriodStart < to)
            .GroupBy(_ => 1)
            .Select(g => new
            {
                Agents = g.Select(m => m.AgentId).Distinct().Count(),
                Tasks = g.Sum(m => (long)m.TasksCompleted),
                Messages = g.Sum(m => (long)m.Messages),
                TokensIn = g.Sum(m => m.TokensIn),
                TokensOut = g.Sum(m => m.TokensOut),
                Errors = g.Sum(m => (long)m.Errors),
                Avg = g.Average(m => m.AvgResponseMs),
                Cost = g.Sum(m => m.CostUsd),
            })
            .FirstOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(totals is null
            ? new MetricSummary(from, to, 0, 0, 0, 0, 0, 0, null, 0)
            : new MetricSummary(from, to, totals.Agents, totals.Tasks, totals.Messages, totals.TokensIn, totals.TokensOut, totals.Errors, totals.Avg, totals.Cost));
    }

    private static MetricPoint ToPoint(AgentMetric m) =>
        new(m.PeriodStart, m.PeriodMinutes, m.TasksCompleted, m.Messages, m.TokensIn, m.TokensOut, m.Errors, m.AvgResponseMs, m.CostUsd);
}
