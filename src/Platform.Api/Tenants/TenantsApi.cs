using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Api.Team;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Tenants;

public static class TenantsApi
{
    public static RouteGroupBuilder MapTenants(this RouteGroupBuilder api)
    {
        var tenants = api.MapGroup("/tenants").WithTags("Tenants");

        tenants.MapGet("/", ListAsync).RequireAuthorization(Permissions.PlatformManage).WithSummary("All tenants (platform).");
        tenants.MapPost("/", CreateAsync).RequireAuthorization(Permissions.PlatformManage)
            .WithSummary("Create a tenant: status provisioning, with an invite for its admin email.");
        tenants.MapGet("/current", CurrentAsync).RequireAuthorization(Permissions.TenantRead).WithSummary("The caller's tenant.");
        tenants.MapGet("/{id:guid}", GetAsync).RequireAuthorization(Permissions.TenantRead).WithSummary("One tenant.");
        tenants.MapPatch("/{id:guid}", UpdateAsync).RequireAuthorization(Permissions.TenantUpdate)
            .WithSummary("Partial update (platform: plan, status, resourceLimits; tenant admin: companyName, modelDefaults).");
        tenants.MapPost("/{id:guid}/suspend", SuspendAsync).RequireAuthorization(Permissions.PlatformManage)
            .WithSummary("Suspend: the tenant's users and keys get 403.");
        tenants.MapPost("/{id:guid}/activate", ActivateAsync).RequireAuthorization(Permissions.PlatformManage)
            .WithSummary("Activate a tenant.");
        tenants.MapDelete("/{id:guid}", DeleteAsync).RequireAuthorization(Permissions.PlatformManage)
            .WithSummary("Delete the tenant and everything of it.");
        return api;
    }

    internal static readonly Expression<Func<Tenant, TenantResponse>> ToResponse = t => new TenantResponse(
        t.Id, t.CompanyName, t.AdminEmail, t.Status, t.Plan, t.Agents.Count, t.ModelDefaults, t.ResourceLimits, t.CreatedAt, t.UpdatedAt);

    /// <summary>The response from a tenant held in memory: writes answer from what they saved, never from a read after the commit.</summary>
    private static TenantResponse From(Tenant t, int agentCount) => new(
        t.Id, t.CompanyName, t.AdminEmail, t.Status, t.Plan, agentCount, t.ModelDefaults, t.ResourceLimits, t.CreatedAt, t.UpdatedAt);

    private static async Task<Results<Ok<Page<TenantResponse>>, ProblemHttpResult>> ListAsync(
        [AsParameters] TenantListQuery filter, [AsParameters] PageRequest page, PlatformDbContext db, CancellationToken cancellationToken)
    {
        if (page.Validate() is { } invalid)
        {
            return invalid;
        }

        var query = db.Tenants.AsNoTracking();
        if (filter.Status is { } status)
        {
            query = query.Where(t => t.Status == status);
        }

        if (filter.Plan is { } plan)
        {
            query = query.Where(t => t.Plan == plan);
        }

        if (!string.IsNullOrWhiteSpace(filter.Q))
        {
            var pattern = "%" + Like.Escape(filter.Q.Trim()) + "%";
            query = query.Where(t => EF.Functions.ILike(t.CompanyName, pattern) || EF.Functions.ILike(t.AdminEmail, pattern));
        }

        return TypedResults.Ok(await query.ToPageAsync(page, t => t.Id, ToResponse, r => r.Id, cancellationToken: cancellationToken));
    }

    private static async Task<Results<Created<TenantCreatedResponse>, ProblemHttpResult>> CreateAsync(
        CreateTenantRequest request, PlatformDbContext db, Invites invites, AuditTrail audit, CancellationToken cancellationToken)
    {
        var email = request.AdminEmail.Trim().ToLowerInvariant();
        if (await db.Users.AnyAsync(u => u.Email == email, cancellationToken))
        {
            return Problems.Conflict("A user with the admin email already exists.");
        }

        var now = DateTimeOffset.UtcNow;
        var tenant = new Tenant
        {
            CompanyName = request.CompanyName.Trim(), AdminEmail = email, Plan = request.Plan, Status = TenantStatus.Provisioning,
            CreatedAt = now, UpdatedAt = now,
        };
        db.Tenants.Add(tenant);
        var invite = invites.Create(db, tenant.Id, email, UserRole.TenantAdmin, invitedBy: null);
        audit.Record(db, new AuditEntry("tenant.created", AuditTargetType.Tenant, tenant.Id));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{tenant.Id}", new TenantCreatedResponse(From(tenant, agentCount: 0), invite));
    }

    private static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> CurrentAsync(
        PlatformDbContext db, CurrentUser caller, CancellationToken cancellationToken) =>
        caller.Actor?.TenantId is { } tenantId
            ? await GetAsync(tenantId, db, cancellationToken)
            : Problems.NotFound("current tenant");

    private static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> GetAsync(
        Guid id, PlatformDbContext db, CancellationToken cancellationToken)
    {
        // Row-level security hides other tenants: their ids are exactly as missing as unknown ones.
        var tenant = await db.Tenants.AsNoTracking().Where(t => t.Id == id).Select(ToResponse).FirstOrDefaultAsync(cancellationToken);
        return tenant is null ? Problems.NotFound("tenant") : TypedResults.Ok(tenant);
    }

    private static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateTenantRequest request, PlatformDbContext db, CurrentUser caller, AuditTrail audit, SecurityChangeFeed securityChanges,
        CancellationToken cancellationToken)
    {
        var actor = caller.Required;
        if (TenantUpdateRules.Validate(request, actor) is { Count: > 0 } errors)
        {
            return Problems.Validation(errors);
        }

        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (tenant is null)
        {
            return Problems.NotFound("tenant");
        }

        var agentCount = await db.Agents.CountAsync(a => a.TenantId == id, cancellationToken);
        TenantUpdateRules.Apply(request, tenant);
        var changed = SecurityChange.TenantChanged(id, DateTimeOffset.UtcNow);
        db.SecurityChanges.Add(changed);
        audit.Record(db, new AuditEntry("tenant.updated", AuditTargetType.Tenant, id));
        await db.SaveChangesAsync(cancellationToken);
        securityChanges.ApplyNow(changed);
        return TypedResults.Ok(From(tenant, agentCount));
    }

    private static Task<Results<Ok<TenantResponse>, ProblemHttpResult>> SuspendAsync(
        Guid id, PlatformDbContext db, AuditTrail audit, SecurityChangeFeed securityChanges, CancellationToken cancellationToken) =>
        SetStatusAsync(id, TenantStatus.Suspended, new AuditEntry("tenant.suspended", AuditTargetType.Tenant, id, AuditSeverity.Warning),
            db, audit, securityChanges, cancellationToken);

    private static Task<Results<Ok<TenantResponse>, ProblemHttpResult>> ActivateAsync(
        Guid id, PlatformDbContext db, AuditTrail audit, SecurityChangeFeed securityChanges, CancellationToken cancellationToken) =>
        SetStatusAsync(id, TenantStatus.Active, new AuditEntry("tenant.activated", AuditTargetType.Tenant, id), db, audit, securityChanges, cancellationToken);

    private static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> SetStatusAsync(
        Guid id, TenantStatus status, AuditEntry entry, PlatformDbContext db, AuditTrail audit, SecurityChangeFeed securityChanges,
        CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (tenant is null)
        {
            return Problems.NotFound("tenant");
        }

        var agentCount = await db.Agents.CountAsync(a => a.TenantId == id, cancellationToken);
        if (tenant.Status != status)
        {
            tenant.Status = status;
            tenant.UpdatedAt = DateTimeOffset.UtcNow;
            var changed = SecurityChange.TenantChanged(id, tenant.UpdatedAt);
            db.SecurityChanges.Add(changed);
            audit.Record(db, entry);
            await db.SaveChangesAsync(cancellationToken);
            securityChanges.ApplyNow(changed);
        }

        return TypedResults.Ok(From(tenant, agentCount));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, PlatformDbContext db, AuditTrail audit, SecurityChangeFeed securityChanges, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (tenant is null)
        {
            return Problems.NotFound("tenant");
        }

        var changed = SecurityChange.TenantChanged(id, DateTimeOffset.UtcNow);
        db.SecurityChanges.Add(changed);
        db.Tenants.Remove(tenant);

        // A platform row: it outlives the tenant, whose own audit rows go with it (ON DELETE CASCADE).
        audit.Record(db, new AuditEntry("tenant.deleted", AuditTargetType.Tenant, id, AuditSeverity.Critical)
        {
            PlatformRow = true, Details = new Dictionary<string, object?> { ["companyName"] = tenant.CompanyName },
        });
        await db.SaveChangesAsync(cancellationToken);
        securityChanges.ApplyNow(changed);
        return TypedResults.NoContent();
    }
}
