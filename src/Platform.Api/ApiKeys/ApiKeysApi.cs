using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Api.Team;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;

namespace Platform.Api.ApiKeys;

public static class ApiKeysApi
{
    public static RouteGroupBuilder MapApiKeys(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/api-keys").WithTags("API keys").RequireAuthorization(Permissions.ApiKeysManage);

        keys.MapGet("/", ListAsync).WithSummary("The tenant's API keys (never their secrets).");
        keys.MapPost("/", CreateAsync)
            .WithSummary("Create a key; the secret is returned once.");
        keys.MapDelete("/{id:guid}", RevokeAsync)
            .WithSummary("Revoke a key; it stops working at once.");
        return api;
    }

    private static readonly Expression<Func<ApiKey, ApiKeyResponse>> ToResponse = k => new ApiKeyResponse(
        k.Id, k.Name, k.Prefix, k.Scopes, k.CreatedByUserId, k.CreatedAt, k.LastUsedAt, k.ExpiresAt, k.RevokedAt);

    private static async Task<Results<Ok<Page<ApiKeyResponse>>, ProblemHttpResult>> ListAsync(
        [AsParameters] TenantSelector selector, [AsParameters] PageRequest page, PlatformDbContext db, CurrentUser caller, CancellationToken cancellationToken)
    {
        var (tenantId, problem) = TeamScope.Resolve(caller, selector);
        if ((problem ?? page.Validate()) is { } invalid)
        {
            return invalid;
        }

        return TypedResults.Ok(await db.ApiKeys.AsNoTracking().Where(k => k.TenantId == tenantId)
            .ToPageAsync(page, k => k.Id, ToResponse, r => r.Id, cancellationToken: cancellationToken));
    }

    private static async Task<Results<Created<CreatedApiKeyResponse>, ProblemHttpResult>> CreateAsync(
        CreateApiKeyRequest request, [AsParameters] TenantSelector selector, PlatformDbContext db, CurrentUser caller, AuditTrail audit,
        CancellationToken cancellationToken)
    {
        var (tenantId, problem) = TeamScope.Resolve(caller, selector);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        var unknown = request.Scopes.Where(s => !Permissions.ApiKeyScopes.Contains(s, StringComparer.Ordinal)).ToList();
        if (unknown.Contains(RuntimeKeys.Scope))
        {
            errors["scopes"] = [$"The scope {RuntimeKeys.Scope} is only on the key the platform gives an agent's runtime; allowed: {string.Join(", ", Permissions.ApiKeyScopes)}."];
        }
        else if (unknown.Count > 0)
        {
            errors["scopes"] = [$"Unknown scope(s) {string.Join(", ", unknown)}; allowed: {string.Join(", ", Permissions.ApiKeyScopes)}."];
        }

        if (request.ExpiresAt is { } expires && expires <= DateTimeOffset.UtcNow)
        {
            errors["expiresAt"] = ["Must be in the future."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, cancellationToken))
        {
            return Problems.NotFound("tenant");
        }

        var actor = caller.Required;
        var created = ApiKeyFormat.Create();
        var key = new ApiKey
        {
            TenantId = tenantId,
            Name = request.Name.Trim(),
            Prefix = created.Prefix,
            KeyHash = created.KeyHash,
            Scopes = [.. request.Scopes.Distinct(StringComparer.Ordinal)],
            CreatedByUserId = actor.Type == AuditActorType.User ? actor.Id : null,
            ExpiresAt = request.ExpiresAt?.ToUniversalTime(),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.ApiKeys.Add(key);
        audit.Record(db, new AuditEntry("api_key.created", AuditTargetType.ApiKey, key.Id, AuditSeverity.Warning));
        await db.SaveChangesAsync(cancellationToken);
        var response = ToResponse.Compile()(key);
        return TypedResults.Created($"/api/v1/api-keys/{key.Id}", new CreatedApiKeyResponse(response, created.Key));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id, [AsParameters] TenantSelector selector, PlatformDbContext db, CurrentUser caller, AuditTrail audit, SecurityChangeFeed securityChanges,
        CancellationToken cancellationToken)
    {
        var (tenantId, problem) = TeamScope.Resolve(caller, selector);
        if (problem is not null)
        {
            return problem;
        }

        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id && k.TenantId == tenantId, cancellationToken);
        if (key is null)
        {
            return Problems.NotFound("API key");
        }

        if (key.RevokedAt is null)
        {
            key.RevokedAt = DateTimeOffset.UtcNow;
            var revoked = SecurityChange.ApiKeyRevoked(key.Prefix, key.RevokedAt.Value);
            db.SecurityChanges.Add(revoked);
            audit.Record(db, new AuditEntry("api_key.revoked", AuditTargetType.ApiKey, id, AuditSeverity.Warning));
            await db.SaveChangesAsync(cancellationToken);
            securityChanges.ApplyNow(revoked);
        }

        return TypedResults.NoContent();
    }
}
