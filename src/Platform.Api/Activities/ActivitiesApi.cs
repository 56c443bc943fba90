using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Api.Streams;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Activities;

public static class ActivitiesApi
{
    private const int MaxDetailsBytes = 16 * 1024;

    public static RouteGroupBuilder MapActivities(this RouteGroupBuilder api)
    {
        api.MapGet("/agents/{id:guid}/activities", ListAsync).WithTags("Activity").RequireAuthorization(Permissions.AgentsRead)
            .WithSummary("The agent's activity, newest first.");
        api.MapPost("/agents/{id:guid}/activities", PostAsync).WithTags("Activity").RequireAuthorization(Permissions.ActivitiesWrite)
            .WithSummary("Post an activity (agent runtimes, scope activities:write).");
        api.MapGet("/activities/stream", Stream).WithTags("Activity").RequireAuthorization(Permissions.AgentsRead).AcceptsStreamTicket()
            .WithSummary("Live Server-Sent Events feed of the tenant's activity; resumable with Last-Event-ID (or ?lastEventId=, for a new EventSource).")
            .WithDescription("The server ends the stream cleanly after Streams:MaxDurationSeconds; reconnect with the last event id to resume.")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
                {
                    parameter.Description = parameter.Name switch
                    {
                        "Last-Event-ID" => "Resume after this event id (EventSource sends it when it reconnects by itself).",
                        "lastEventId" => "Resume after this event id, for a new EventSource opened with a new ticket (a ticket is single use, "
                            + "so EventSource's own reconnect is refused). Last-Event-ID wins when both are sent.",
                        _ => parameter.Description,
                    };
                }

                return Task.CompletedTask;
            });
        return api;
    }

    private static async Task<Results<Ok<Page<ActivityResponse>>, ProblemHttpResult>> ListAsync(
        Guid id, [AsParameters] PageRequest page, PlatformDbContext db, CancellationToken cancellationToken)
    {
        if (page.Validate() is { } invalid)
        {
            return invalid;
        }

        if (!await db.Agents.AnyAsync(a => a.Id == id, cancellationToken))
        {
            return Problems.NotFound("agent");
        }

        var rows = await db.AgentActivities.AsNoTracking().Where(a => a.AgentId == id)
            .ToPageAsync(page, a => a.Id, a => a, a => a.Id, cancellationToken: cancellationToken);
        return TypedResults.Ok(new Page<ActivityResponse>([.. rows.Items.Select(ActivityResponse.From)], rows.NextCursor));
    }

    private static async Task<Results<Created<ActivityResponse>, ProblemHttpResult>> PostAsync(
        Guid id, PostActivityRequest request, PlatformDbContext db, ActivityFeed feed, CurrentUser caller, AuditTrail audit,
        CancellationToken cancellationToken)
    {
        // A runtime key posts for its own agent only; to it, every other agent is missing.
        if (caller.Actor is not { TenantId: { } tenantId } actor || !actor.MayActFor(id))
        {
            return Problems.NotFound("agent");
        }

        if (request.Details is { } details && (details.ValueKind != JsonValueKind.Object || details.GetRawText().Length > MaxDetailsBytes))
        {
            return Problems.Validation("details", $"Must be a JSON object of at most {MaxDetailsBytes} bytes.");
        }

        var now = DateTimeOffset.UtcNow;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var touched = await db.Agents.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.LastActiveAt, now), cancellationToken);
        if (touched == 0)
        {
            return Problems.NotFound("agent");
        }

        var activity = new AgentActivity
        {
            TenantId = tenantId,
            AgentId = id,
            Type = request.Type!.Value,
            Summary = request.Summary.Trim(),
            Details = request.Details is { } d ? JsonDocument.Parse(d.GetRawText()) : null,
            CreatedAt = now,
        };
        db.AgentActivities.Add(activity);
        audit.Record(db, new AuditEntry("agent.activity_posted", AuditTargetType.Agent, id));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        feed.Committed(tenantId);
        return TypedResults.Created($"/api/v1/agents/{id}/activities/{activity.Id}", ActivityResponse.From(activity));
    }

    /// <param name="lastEventIdQuery">
    /// The resume point for a client that cannot send Last-Event-ID: a browser opening a new EventSource with a new ticket
    /// (a ticket is single use, so EventSource's own reconnect is refused). The header wins when both are sent.
    /// </param>
    private static Results<ServerSentEventsResult<string>, ProblemHttpResult> Stream(
        CurrentUser caller, ActivityStream stream, IOptions<StreamOptions> options, TimeProvider clock,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventIdHeader, [FromQuery(Name = "lastEventId")] string? lastEventIdQuery,
        CancellationToken cancellationToken)
    {
        var lastEventId = lastEventIdHeader ?? lastEventIdQuery;
        if (caller.Actor?.TenantId is not { } tenantId)
        {
            return Problems.Validation("tenant", "The feed is per tenant: call it as a tenant user or key.");
        }

        FeedCursor? after = null;
        if (lastEventId is not null && !FeedCursor.TryParse(lastEventId, out after))
        {
            return Problems.Validation(lastEventIdHeader is null ? "lastEventId" : "Last-Event-ID", "Not an event id of this feed.");
        }

        var window = StreamWindow.Open(options, clock, cancellationToken);
        return TypedResults.ServerSentEvents(window.RunAsync(stream.EventsAsync(tenantId, after, window.Token)));
    }

}
