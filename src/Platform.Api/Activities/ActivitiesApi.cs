using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Audit;
using Platform.Api.Infrastructure;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Activities;

public static partial class ActivitiesApi
{
    private const int MaxDetailsBytes = 16 * 1024;
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapActivities(this RouteGroupBuilder api)
    {
        api.MapGet("/agents/{id:guid}/activities", ListAsync).WithTags("Activity").RequireAuthorization(Permissions.AgentsRead)
            .WithSummary("The agent's activity, newest first.");
        api.MapPost("/agents/{id:guid}/activities", PostAsync).WithTags("Activity").RequireAuthorization(Permissions.ActivitiesWrite)
            .Audited("agent.activity_posted", AuditTargetType.Agent).WithSummary("Post an activity (agent runtimes, scope activities:write).");
        api.MapGet("/activities/stream", Stream).WithTags("Activity").RequireAuthorization(Permissions.AgentsRead)
            .WithSummary("Live Server-Sent Events feed of the tenant's activity; resumable with Last-Event-ID.");
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
        return TypedResults.Ok(new Page<ActivityResponse>([.. rows.Items.Select(ToResponse)], rows.NextCursor));
    }

    private static async Task<Results<Created<ActivityResponse>, ProblemHttpResult>> PostAsync(
        Guid id, PostActivityRequest request, PlatformDbContext db, ActivityFeed feed, AfterCommit afterCommit, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (request.Details is { } details && (details.ValueKind != JsonValueKind.Object || details.GetRawText().Length > MaxDetailsBytes))
        {
            return Problems.Validation("details", $"Must be a JSON object of at most {MaxDetailsBytes} bytes.");
        }

        if (Actor.From(http.User)?.TenantId is not { } tenantId)
        {
            return Problems.NotFound("agent");
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
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var response = ToResponse(activity);
        await afterCommit.RunAsync("publishing the activity to the live feed", () => feed.PublishAsync(tenantId, response));
        return TypedResults.Created($"/api/v1/agents/{id}/activities/{activity.Id}", response);
    }

    private static Results<ServerSentEventsResult<string>, ProblemHttpResult> Stream(
        HttpContext http, ActivityFeed feed, [FromHeader(Name = "Last-Event-ID")] string? lastEventId, CancellationToken cancellationToken)
    {
        if (Actor.From(http.User)?.TenantId is not { } tenantId)
        {
            return Problems.Validation("tenant", "The feed is per tenant: call it as a tenant user or key.");
        }

        if (lastEventId is not null && !StreamId().IsMatch(lastEventId))
        {
            return Problems.Validation("Last-Event-ID", "Not an event id of this feed.");
        }

        return TypedResults.ServerSentEvents(EventsAsync(feed, tenantId, lastEventId, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<string>> EventsAsync(
        ActivityFeed feed, Guid tenantId, string? lastEventId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Subscribe before reading the history, so nothing published in between is lost; duplicates are skipped by id.
        using var subscription = feed.Subscribe(tenantId);
        var last = lastEventId;
        if (last is not null)
        {
            foreach (var missed in await feed.HistoryAfterAsync(tenantId, last))
            {
                last = missed.Id;
                yield return Event(missed);
            }
        }

        yield return new SseItem<string>("{}", "ready") { EventId = last };
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!await WaitForEventsAsync(subscription, cancellationToken))
            {
                yield return new SseItem<string>("{}", "heartbeat");
                continue;
            }

            while (subscription.Reader.TryRead(out var item))
            {
                if (last is not null && CompareIds(item.Id, last) <= 0)
                {
                    continue;
                }

                last = item.Id;
                yield return Event(item);
            }
        }
    }

    /// <summary>True when events are waiting; false after a quiet heartbeat interval.</summary>
    private static async Task<bool> WaitForEventsAsync(ActivityFeed.Subscription subscription, CancellationToken cancellationToken)
    {
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        quiet.CancelAfter(HeartbeatInterval);
        try
        {
            return await subscription.Reader.WaitToReadAsync(quiet.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static SseItem<string> Event(ActivityFeed.FeedItem item) => new(item.Json, "activity") { EventId = item.Id };

    private static int CompareIds(string a, string b)
    {
        var (aMs, aSeq) = Split(a);
        var (bMs, bSeq) = Split(b);
        return aMs != bMs ? aMs.CompareTo(bMs) : aSeq.CompareTo(bSeq);

        static (long, long) Split(string id)
        {
            var dash = id.IndexOf('-', StringComparison.Ordinal);
            return (long.Parse(id.AsSpan(0, dash), System.Globalization.CultureInfo.InvariantCulture),
                long.Parse(id.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static ActivityResponse ToResponse(AgentActivity a) =>
        new(a.Id, a.AgentId, a.Type, a.Summary, a.Details?.RootElement.Clone(), a.CreatedAt);

    [GeneratedRegex(@"^\d{1,20}-\d{1,20}$")]
    private static partial Regex StreamId();
}
