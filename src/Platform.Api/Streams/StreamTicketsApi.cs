using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;

namespace Platform.Api.Streams;

/// <summary>A single-use ticket, shown once.</summary>
public sealed record TicketResponse(string Ticket, DateTimeOffset ExpiresAt);

/// <summary>
/// Tickets for what a browser opens without headers: an <c>EventSource</c> on a stream (<c>?ticket=</c>), and the
/// worker's jobs dashboard (<c>/hangfire/sign-in?ticket=</c>). Each stands for its caller (user session or API key).
/// Issuing one is not audited: it grants nothing the caller's own credential does not, for a minute, and browsers ask
/// for one per stream; the dashboard sign-in it leads to is audited by the worker.
/// </summary>
public static class StreamTicketsApi
{
    public static RouteGroupBuilder MapStreamTickets(this RouteGroupBuilder api)
    {
        api.MapPost("/streams/tickets", IssueStreamTicketAsync).WithTags("Streams").RequireAuthorization()
            .WithSummary("A single-use ticket that opens one stream (activities/stream, agents/{id}/logs?follow=true) with ?ticket= instead of a header, for EventSource.");
        api.MapPost("/platform/dashboard-tickets", IssueDashboardTicketAsync).WithTags("Platform").RequireAuthorization(Permissions.PlatformManage)
            .WithSummary("A single-use ticket for the worker's jobs dashboard: open /hangfire/sign-in?ticket= on the worker.");
        return api;
    }

    private static Task<Results<Ok<TicketResponse>, ProblemHttpResult>> IssueStreamTicketAsync(
        PlatformDbContext db, CurrentUser caller, IOptions<StreamOptions> options, TimeProvider clock, CancellationToken cancellationToken) =>
        IssueAsync(AccessTicketPurpose.Stream, db, caller, options, clock, cancellationToken);

    private static Task<Results<Ok<TicketResponse>, ProblemHttpResult>> IssueDashboardTicketAsync(
        PlatformDbContext db, CurrentUser caller, IOptions<StreamOptions> options, TimeProvider clock, CancellationToken cancellationToken) =>
        IssueAsync(AccessTicketPurpose.Hangfire, db, caller, options, clock, cancellationToken);

    private static async Task<Results<Ok<TicketResponse>, ProblemHttpResult>> IssueAsync(
        AccessTicketPurpose purpose, PlatformDbContext db, CurrentUser caller, IOptions<StreamOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var actor = caller.Required;
        var holder = new AccessTicket { Purpose = purpose, TenantId = actor.TenantId };
        switch (actor.Type)
        {
            case AuditActorType.User when caller.SessionId is { } session:
                holder.UserId = actor.Id;
                holder.SessionId = session;
                break;
            case AuditActorType.ApiKey:
                holder.ApiKeyId = actor.Id;
                break;
            default:
                return Problems.Forbidden("Only a signed-in user or an API key can have a ticket.");
        }

        var issued = AccessTickets.Issue(db, holder, options.Value.TicketLifetime, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new TicketResponse(issued.Ticket, issued.ExpiresAt));
    }
}
