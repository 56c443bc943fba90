using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Api.Team;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Webhooks;

namespace Platform.Api.Webhooks;

/// <summary>A webhook's delivery log, its test event and the manual retry of a delivery.</summary>
internal static class WebhookDeliveriesApi
{
    public static RouteGroupBuilder MapWebhookDeliveries(this RouteGroupBuilder webhooks)
    {
        webhooks.MapPost("/{id:guid}/test", TestAsync).WithSummary("Queue a webhook.test event for this webhook alone.");
        webhooks.MapGet("/{id:guid}/deliveries", ListAsync).WithSummary("The webhook's deliveries, newest first.");
        webhooks.MapPost("/{id:guid}/deliveries/{deliveryId:guid}/retry", RetryAsync)
            .WithSummary("Attempt a delivery once more, now.");
        return webhooks;
    }

    private static readonly Expression<Func<WebhookDelivery, WebhookDeliveryResponse>> ToResponse = d => new WebhookDeliveryResponse(
        d.Id, d.EventId, d.EventType, d.State, d.AttemptCount, d.LastStatusCode, d.LastLatencyMs, d.LastError, d.NextAttemptAt, d.CreatedAt, d.UpdatedAt);

    private static async Task<Results<Ok<Page<WebhookDeliveryResponse>>, ProblemHttpResult>> ListAsync(
        Guid id, [AsParameters] TenantSelector selector, [AsParameters] PageRequest page, PlatformDbContext db, CurrentUser caller,
        CancellationToken cancellationToken)
    {
        var (tenantId, problem) = WebhookScope.Resolve(caller, selector);
        if ((problem ?? page.Validate()) is { } invalid)
        {
            return invalid;
        }

        if (!await db.Webhooks.AnyAsync(w => w.Id == id && w.TenantId == tenantId, cancellationToken))
        {
            return Problems.NotFound("webhook");
        }

        return TypedResults.Ok(await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == id && d.TenantId == tenantId)
            .ToPageAsync(page, d => d.Id, ToResponse, r => r.Id, cancellationToken: cancellationToken));
    }

    private static async Task<Results<Accepted<WebhookTestResponse>, ProblemHttpResult>> TestAsync(
        Guid id, [AsParameters] TenantSelector selector, PlatformDbContext db, CurrentUser caller, AuditTrail audit, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var (tenantId, problem) = WebhookScope.Resolve(caller, selector);
        if (problem is not null)
        {
            return problem;
        }

        if (await WebhooksApi.FindAsync(db, id, tenantId, cancellationToken) is not { } webhook)
        {
            return Problems.NotFound("webhook");
        }

        // Fanned out here rather than by the worker: the test goes to this webhook alone, subscribed to it or not.
        var now = clock.GetUtcNow();
        var data = WebhooksApi.ToResponse.Compile()(webhook);
        var testEvent = WebhookOutbox.Add(db, WebhookEventTypes.WebhookTest, tenantId, data, now);
        testEvent.DispatchedAt = now;
        var delivery = new WebhookDelivery
        {
            TenantId = tenantId,
            WebhookId = webhook.Id,
            EventId = testEvent.Id,
            EventType = testEvent.Type,
            NextAttemptAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.WebhookDeliveries.Add(delivery);
        audit.Record(db, WebhookScope.Audit("webhook.tested", webhook, deliveryId: delivery.Id));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", new WebhookTestResponse(testEvent.Id, delivery.Id));
    }

    private static async Task<Results<Accepted<WebhookDeliveryResponse>, ProblemHttpResult>> RetryAsync(
        Guid id, Guid deliveryId, [AsParameters] TenantSelector selector, PlatformDbContext db, CurrentUser caller, AuditTrail audit,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tenantId, problem) = WebhookScope.Resolve(caller, selector);
        if (problem is not null)
        {
            return problem;
        }

        if (await WebhooksApi.FindAsync(db, id, tenantId, cancellationToken) is not { } webhook)
        {
            return Problems.NotFound("webhook");
        }

        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == deliveryId && d.WebhookId == id, cancellationToken);
        if (delivery is null)
        {
            return Problems.NotFound("delivery");
        }

        var now = clock.GetUtcNow();
        delivery.State = WebhookDeliveryState.Pending;
        delivery.NextAttemptAt = now;
        delivery.UpdatedAt = now;
        audit.Record(db, WebhookScope.Audit("webhook.delivery_retried", webhook, deliveryId: delivery.Id));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", ToResponse.Compile()(delivery));
    }
}
