using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Resources;

namespace Platform.Api.Agents;

public static class AgentsApi
{
    public static RouteGroupBuilder MapAgents(this RouteGroupBuilder api)
    {
        var agents = api.MapGroup("/agents").WithTags("Agents");

        agents.MapGet("/", ListAsync).RequireAuthorization(Permissions.AgentsRead).WithSummary("The tenant's agents with their channels.");
        agents.MapPost("/", CreateAsync).RequireAuthorization(Permissions.AgentsWrite)
            .WithSummary("Create an agent (status provisioning) within the plan's quota.");
        agents.MapGet("/{id:guid}", GetAsync).RequireAuthorization(Permissions.AgentsRead).WithSummary("One agent.");
        agents.MapPatch("/{id:guid}", UpdateAsync).RequireAuthorization(Permissions.AgentsWrite)
            .WithSummary("Partial update; status changes only through pause and resume.");
        agents.MapDelete("/{id:guid}", DeleteAsync).RequireAuthorization(Permissions.AgentsWrite)
            .WithSummary("Delete an agent with its channels, activity, metrics and skills.");
        agents.MapPost("/{id:guid}/pause", PauseAsync).RequireAuthorization(Permissions.AgentsWrite)
            .WithSummary("Pause a running agent.");
        agents.MapPost("/{id:guid}/resume", ResumeAsync).RequireAuthorization(Permissions.AgentsWrite)
            .WithSummary("Resume a paused agent.");
        return api;
    }

    private static async Task<Results<Ok<Page<AgentResponse>>, ProblemHttpResult>> ListAsync(
        [AsParameters] AgentListQuery filter, [AsParameters] PageRequest page, PlatformDbContext db, CancellationToken cancellationToken)
    {
        if (page.Validate() is { } invalid)
        {
            return invalid;
        }

        var query = db.Agents.AsNoTracking();
        if (filter.Status is { } status)
        {
            query = query.Where(a => a.Status == status);
        }

        if (filter.Role is { } role)
        {
            query = query.Where(a => a.Role == role);
        }

        if (!string.IsNullOrWhiteSpace(filter.Q))
        {
            var pattern = "%" + Like.Escape(filter.Q.Trim()) + "%";
            query = query.Where(a => EF.Functions.ILike(a.Name, pattern) || EF.Functions.ILike(a.Description ?? "", pattern));
        }

        return TypedResults.Ok(await query.ToPageAsync(page, a => a.Id, AgentProjection.ToResponse, r => r.Id, cancellationToken: cancellationToken));
    }

    private static async Task<Results<Created<AgentResponse>, ProblemHttpResult>> CreateAsync(
        CreateAgentRequest request, PlatformDbContext db, TenantDirectory tenants, CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken)
    {
        var toolPolicy = AgentRules.Normalize(request.ToolPolicy);
        var assistedUser = AgentRules.Normalize(request.AssistedUser);
        if (AgentRules.Validate(request.Name, toolPolicy, assistedUser) is { Count: > 0 } errors)
        {
            return Problems.Validation(errors);
        }

        if (caller.Actor?.TenantId is not { } tenantId || await tenants.GetAsync(tenantId, cancellationToken) is not { } tenantInfo)
        {
            return Problems.Validation("tenant", "Agents belong to a tenant: call this as a tenant user or key.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // Serialises creates of one tenant, so concurrent requests cannot all pass the quota check.
        var tenant = await db.Tenants.FromSql($"SELECT * FROM tenants WHERE id = {tenantId} FOR UPDATE").SingleAsync(cancellationToken);
        if (tenantInfo.MaxAgents is { } max && await db.Agents.CountAsync(a => a.TenantId == tenantId, cancellationToken) >= max)
        {
            return Problems.Forbidden($"The {tenant.Plan.ToString().ToLowerInvariant()} plan allows {max} agents.", ErrorCodes.QuotaExceeded);
        }

        if (await db.Agents.AnyAsync(a => a.TenantId == tenantId && a.Name == request.Name.Trim(), cancellationToken))
        {
            return Problems.Conflict("An agent with this name exists.");
        }

        var now = DateTimeOffset.UtcNow;
        var agent = new Agent
        {
            TenantId = tenantId,
            Name = request.Name.Trim(),
            Description = request.Description,
            Role = request.Role,
            Status = AgentStatus.Provisioning,
            ModelTier = request.ModelTier ?? tenant.ModelDefaults.ModelTier,
            ThinkingMode = request.ThinkingMode ?? tenant.ModelDefaults.ThinkingMode,
            ToolPolicy = toolPolicy ?? new ToolPolicy(),
            AssistedUser = assistedUser,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Agents.Add(agent);
        audit.Record(db, new AuditEntry("agent.created", AuditTargetType.Agent, agent.Id));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/agents/{agent.Id}", AgentProjection.From(agent));
    }

    private static async Task<Results<Ok<AgentResponse>, ProblemHttpResult>> GetAsync(Guid id, PlatformDbContext db, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.AsNoTracking().Where(a => a.Id == id).Select(AgentProjection.ToResponse).FirstOrDefaultAsync(cancellationToken);
        return agent is null ? Problems.NotFound("agent") : TypedResults.Ok(agent);
    }

    private static async Task<Results<Ok<AgentResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateAgentRequest request, PlatformDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        var toolPolicy = AgentRules.Normalize(request.ToolPolicy);
        var assistedUser = AgentRules.Normalize(request.AssistedUser);
        var errors = AgentRules.Validate(request.Name, toolPolicy, assistedUser);
        if (request == new UpdateAgentRequest())
        {
            errors["body"] = ["Send at least one field to change."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var agent = await db.Agents.Include(a => a.Channels).FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (agent is null)
        {
            return Problems.NotFound("agent");
        }

        var name = request.Name?.Trim();
        if (name is not null && name != agent.Name && await db.Agents.AnyAsync(a => a.TenantId == agent.TenantId && a.Name == name, cancellationToken))
        {
            return Problems.Conflict("An agent with this name exists.");
        }

        agent.Name = name ?? agent.Name;
        agent.Description = request.Description ?? agent.Description;
        agent.Role = request.Role ?? agent.Role;
        agent.ModelTier = request.ModelTier ?? agent.ModelTier;
        agent.ThinkingMode = request.ThinkingMode ?? agent.ThinkingMode;
        agent.ToolPolicy = toolPolicy ?? agent.ToolPolicy;
        agent.AssistedUser = assistedUser ?? agent.AssistedUser;
        agent.UpdatedAt = DateTimeOffset.UtcNow;

        // A user's write counts as activity: it wakes an idle agent (see AgentActivityClock).
        agent.LastActiveAt = agent.UpdatedAt;
        audit.Record(db, new AuditEntry("agent.updated", AuditTargetType.Agent, id));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("An agent with this name exists.");
        }

        return TypedResults.Ok(AgentProjection.From(agent));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, PlatformDbContext db, AuditTrail audit, SecurityChangeFeed securityChanges, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (agent is null)
        {
            return Problems.NotFound("agent");
        }

        // The agent's runtime keys go with it (their foreign key cascades; the worker removes the container). Every replica
        // may still hold them in its key cache: one security change per key makes each drop it.
        var runtimeKeyPrefixes = await db.ApiKeys.Where(k => k.AgentId == id).Select(k => k.Prefix).ToListAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var revoked = runtimeKeyPrefixes.Select(prefix => SecurityChange.ApiKeyRevoked(prefix, now)).ToList();
        db.SecurityChanges.AddRange(revoked);
        db.Agents.Remove(agent);
        audit.Record(db, new AuditEntry("agent.deleted", AuditTargetType.Agent, id, AuditSeverity.Warning));
        await db.SaveChangesAsync(cancellationToken);
        revoked.ForEach(securityChanges.ApplyNow);

        return TypedResults.NoContent();
    }

    private static Task<Results<Ok<AgentResponse>, ProblemHttpResult>> PauseAsync(
        Guid id, PlatformDbContext db, AuditTrail audit, CancellationToken cancellationToken) =>
        TransitionAsync(id, db, AgentStatus.Paused, [AgentStatus.Active, AgentStatus.Idle, AgentStatus.Error], "agent.paused", audit, cancellationToken);

    private static Task<Results<Ok<AgentResponse>, ProblemHttpResult>> ResumeAsync(
        Guid id, PlatformDbContext db, AuditTrail audit, CancellationToken cancellationToken) =>
        TransitionAsync(id, db, AgentStatus.Active, [AgentStatus.Paused], "agent.resumed", audit, cancellationToken);

    private static async Task<Results<Ok<AgentResponse>, ProblemHttpResult>> TransitionAsync(
        Guid id, PlatformDbContext db, AgentStatus to, AgentStatus[] from, string action, AuditTrail audit, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.Include(a => a.Channels).FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (agent is null)
        {
            return Problems.NotFound("agent");
        }

        if (!from.Contains(agent.Status))
        {
            return Problems.Conflict($"An agent that is {agent.Status.ToString().ToLowerInvariant()} cannot become {to.ToString().ToLowerInvariant()}.");
        }

        agent.Status = to;
        agent.UpdatedAt = DateTimeOffset.UtcNow;
        audit.Record(db, new AuditEntry(action, AuditTargetType.Agent, id));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(AgentProjection.From(agent));
    }
}
