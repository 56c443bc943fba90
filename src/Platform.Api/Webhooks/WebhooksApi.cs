using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Api.Team;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Webhooks;

namespace Platform.Api.Webhooks;

public static class WebhooksApi
{
    /// <summary>How long the previous secret still signs after a rotation, so receivers can switch without losing events.</summary>
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);

    public static RouteGroupBuilder MapWebhooks(this RouteGroupBuilder api)
    {
        var webhooks = api.MapGroup("/webhooks").WithTags("Webhooks").RequireAuthorization(Permissions.TenantUpdate);

        webhooks.MapGet("/", ListAsync).WithSummary("The tenant's webhooks (a platform admin without ?tenantId=: the platform-wide ones).");
        webhooks.MapPost("/", CreateAsync).WithSummary("Create a webhook; its signing secret is returned once.");
        webhooks.MapGet("/{id:guid}", GetAsync).WithSummary("One webhook.");
        webhooks.MapPatch("/{id:guid}", UpdateAsync).WithSummary("Change a webhook's URL, events, description or enabled flag.");
        webhooks.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete a webhook and its delivery log.");
        webhooks.MapPost("/{id:guid}/rotate-secret", RotateSecretAsync)
            .WithSummary("A new signing secret, returned once; the previous one also signs for 24 hours.");
        webhooks.MapWebhookDeliveries();
        return api;
    }

    internal static readonly Expression<Func<Webhook, WebhookResponse>> ToResponse = w => new WebhookResponse(
        w.Id, w.TenantId, w.Url, w.Events, w.Enabled, w.Description, w.DisabledReason, w.CreatedAt, w.UpdatedAt);

    private static readonly Func<Webhook, WebhookResponse> Respond = ToResponse.Compile();

    /// <summary>The webhook in the caller's scope, or null (another tenant's is not found).</summary>
    internal static Task<Webhook?> FindAsync(PlatformDbContext db, Guid id, Guid? tenantId, CancellationToken cancellationToken) =>
        db.Webhooks.FirstOrDefaultAsync(w => w.Id == id && w.TenantId == tenantId, cancellationToken);

    private static async Task<Results<Ok<Page<WebhookResponse>>, ProblemHttpResult>> ListAsync(
        [AsParameters] TenantSelector selector, [AsParameters] PageRequest page, PlatformDbContext db, CurrentUser caller, CancellationToken cancellationToken)
    {
        var (tenantId, problem) = WebhookScope.Resolve(caller, selector);
        if ((problem ?? page.Validate()) is { } invalid)
        {
            return invalid;
        }

        return TypedResults.Ok(await db.Webhooks.AsNoTracking().Where(w => w.TenantId == tenantId)
            .ToPageAsync(page, w => w.Id, ToResponse, r => r.Id, cancellationToken: cancellationToken));
    }

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> GetAsync(
        Guid id, [AsParameters] TenantSelector selector, PlatformDbContext db, CurrentUser caller, CancellationToken cancellationToken)
    {
        var (tenantId, problem) = WebhookScope.Resolve(caller, selector);
        if (problem is not null)
        {
            return problem;
        }

        return await FindAsync(db, id, tenantId, cancellationToken) is { } webhook ? TypedResults.Ok(Respond(webhook)) : Problems.NotFound("webhook");
    }

    private static async Task<Results<Created<CreatedWebhookResponse>, ProblemHttpResult>> CreateAsync(
        CreateWebhookRequest request, [AsParameters] TenantSelector selector, PlatformDbContext db, CurrentUser caller, AuditTrail audit,
        WebhookSecrets secrets, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tenantId, problem) = WebhookScope.Resolve(caller, selector);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        WebhookRules.CheckUrl(request.Url, options.Value, errors);
        WebhookRules.CheckEvents(request.Events, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (tenantId is { } tenant && !await db.Tenants.AnyAsync(t => t.Id == tenant, cancellationToken))
        {
            return Problems.NotFound("tenant");
        }

        if (await db.Webhooks.CountAsync(w => w.TenantId == tenantId, cancellationToken) >= options.Value.MaxWebhooksPerTenant)
        {
            return Problems.Conflict($"At most {options.Value.MaxWebhooksPerTenant} webhooks per tenant.");
        }

        var (secret, cipher) = secrets.Create();
        var now = clock.GetUtcNow();
        var webhook = new Webhook
        {
            TenantId = tenantId,
            Url = request.Url.Trim(),
            Events = [.. request.Events.Distinct(StringComparer.Ordinal)],
            Enabled = request.Enabled,
            Description = request.Description?.Trim(),
            SecretCipher = cipher,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Webhooks.Add(webhook);
        audit.Record(db, WebhookScope.Audit("webhook.created", webhook, AuditSeverity.Warning));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/webhooks/{webhook.Id}", new CreatedWebhookResponse(Respond(webhook), secret));
    }

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateWebhookRequest request, [AsParameters] TenantSelector selector, PlatformDbContext db, CurrentUser caller, AuditTrail audit,
        IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tenantId, problem) = WebhookScope.Resolve(caller, selector);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        if (request.Url is not null)
        {
            WebhookRules.CheckUrl(request.Url, options.Value, errors);
        }

        if (request.Events is not null)
        {
            WebhookRules.CheckEvents(request.Events, errors);
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await FindAsync(db, id, tenantId, cancellationToken) is not { } webhook)
        {
            return Problems.NotFound("webhook");
        }

        webhook.Url = request.Url?.Trim() ?? webhook.Url;
        webhook.Events = request.Events is null ? webhook.Events : [.. request.Events.Distinct(StringComparer.Ordinal)];
        webhook.Description = request.Description is null ? webhook.Description : request.Description.Trim();
        if (request.Enabled is { } enabled && enabled != webhook.Enabled)
        {
            webhook.Enabled = enabled;
            webhook.DisabledReason = null;
            webhook.FailingSince = null;
        }

        webhook.UpdatedAt = clock.GetUtcNow();
        audit.Record(db, WebhookScope.Audit("webhook.updated", webhook));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(Respond(webhook));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, [AsParameters] TenantSelector selector, PlatformDbContext db, CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken)
    {
        var (tenantId, problem) = WebhookScope.Resolve(caller, selector);
        if (problem is not null)
        {
            return problem;
        }

        if (await FindAsync(db, id, tenantId, cancellationToken) is not { } webhook)
        {
            return Problems.NotFound("webhook");
        }

        db.Webhooks.Remove(webhook);
        audit.Record(db, WebhookScope.Audit("webhook.deleted", webhook, AuditSeverity.Warning));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<RotatedWebhookSecretResponse>, ProblemHttpResult>> RotateSecretAsync(
        Guid id, [AsParameters] TenantSelector selector, PlatformDbContext db, CurrentUser caller, AuditTrail audit, WebhookSecrets secrets,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var (tenantId, problem) = WebhookScope.Resolve(caller, selector);
        if (problem is not null)
        {
            return problem;
        }

        if (await FindAsync(db, id, tenantId, cancellationToken) is not { } webhook)
        {
            return Problems.NotFound("webhook");
        }

        var (secret, cipher) = secrets.Create();
        var now = clock.GetUtcNow();
        webhook.PreviousSecretCipher = webhook.SecretCipher;
        webhook.PreviousSecretExpiresAt = now + RotationOverlap;
        webhook.SecretCipher = cipher;
        webhook.UpdatedAt = now;
        audit.Record(db, WebhookScope.Audit("webhook.secret_rotated", webhook, AuditSeverity.Warning));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new RotatedWebhookSecretResponse(secret, webhook.PreviousSecretExpiresAt.Value));
    }
}
