using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Agents;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Channels;

public static class ChannelsApi
{
    public static RouteGroupBuilder MapChannels(this RouteGroupBuilder api)
    {
        var channels = api.MapGroup("/agents/{agentId:guid}/channels").WithTags("Channels");

        channels.MapGet("/", ListAsync).RequireAuthorization(Permissions.AgentsRead).WithSummary("The agent's channels (secrets masked).");
        channels.MapPost("/", CreateAsync).RequireAuthorization(Permissions.AgentsWrite)
            .WithSummary("Add a channel; secret config values are encrypted at rest and never returned.");
        channels.MapPatch("/{channelId:guid}", UpdateAsync).RequireAuthorization(Permissions.AgentsWrite)
            .WithSummary("Partial update of a channel.");
        channels.MapDelete("/{channelId:guid}", DeleteAsync).RequireAuthorization(Permissions.AgentsWrite)
            .WithSummary("Remove a channel.");
        return api;
    }

    private static async Task<Results<Ok<Page<ChannelResponse>>, ProblemHttpResult>> ListAsync(
        Guid agentId, [AsParameters] PageRequest page, PlatformDbContext db, CancellationToken cancellationToken)
    {
        if (page.Validate() is { } invalid)
        {
            return invalid;
        }

        if (!await db.Agents.AnyAsync(a => a.Id == agentId, cancellationToken))
        {
            return Problems.NotFound("agent");
        }

        var rows = await db.AgentChannels.AsNoTracking().Where(c => c.AgentId == agentId)
            .ToPageAsync(page, c => c.Id, c => c, c => c.Id, newestFirst: false, cancellationToken);
        return TypedResults.Ok(new Page<ChannelResponse>([.. rows.Items.Select(ToResponse)], rows.NextCursor));
    }

    private static async Task<Results<Created<ChannelResponse>, ProblemHttpResult>> CreateAsync(
        Guid agentId, CreateChannelRequest request, PlatformDbContext db, ChannelSecrets secrets, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (ChannelSecrets.Validate(request.Config) is { } configError)
        {
            return Problems.Validation("config", configError);
        }

        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (agent is null)
        {
            return Problems.NotFound("agent");
        }

        var name = request.Name.Trim();
        if (await db.AgentChannels.AnyAsync(c => c.AgentId == agentId && c.Type == request.Type && c.Name == name, cancellationToken))
        {
            return Problems.Conflict("The agent already has a channel of this type and name.");
        }

        var now = DateTimeOffset.UtcNow;
        var channel = new AgentChannel
        {
            TenantId = agent.TenantId,
            AgentId = agentId,
            Type = request.Type!.Value,
            Name = name,
            Config = secrets.Protect(request.Config ?? JsonSerializer.SerializeToElement(new { })),
            Enabled = request.Enabled,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.AgentChannels.Add(channel);
        audit.Record(db, new AuditEntry("agent.channel_created", AuditTargetType.Agent, agentId));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("The agent already has a channel of this type and name.");
        }

        await AgentActivityClock.TouchAsync(db, agentId, cancellationToken);
        return TypedResults.Created($"/api/v1/agents/{agentId}/channels/{channel.Id}", ToResponse(channel));
    }

    private static async Task<Results<Ok<ChannelResponse>, ProblemHttpResult>> UpdateAsync(
        Guid agentId, Guid channelId, UpdateChannelRequest request, PlatformDbContext db, ChannelSecrets secrets, AuditTrail audit,
        CancellationToken cancellationToken)
    {
        if (request == new UpdateChannelRequest())
        {
            return Problems.Validation("body", "Send at least one field to change.");
        }

        if (ChannelSecrets.Validate(request.Config) is { } configError)
        {
            return Problems.Validation("config", configError);
        }

        var channel = await db.AgentChannels.FirstOrDefaultAsync(c => c.Id == channelId && c.AgentId == agentId, cancellationToken);
        if (channel is null)
        {
            return Problems.NotFound("channel");
        }

        channel.Name = request.Name?.Trim() ?? channel.Name;
        channel.Enabled = request.Enabled ?? channel.Enabled;
        if (request.Config is { } config)
        {
            channel.Config = secrets.Protect(config, channel.Config);
        }

        channel.UpdatedAt = DateTimeOffset.UtcNow;
        audit.Record(db, new AuditEntry("agent.channel_updated", AuditTargetType.Agent, agentId));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("The agent already has a channel of this type and name.");
        }

        await AgentActivityClock.TouchAsync(db, agentId, cancellationToken);
        return TypedResults.Ok(ToResponse(channel));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid agentId, Guid channelId, PlatformDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        var channel = await db.AgentChannels.FirstOrDefaultAsync(c => c.Id == channelId && c.AgentId == agentId, cancellationToken);
        if (channel is null)
        {
            return Problems.NotFound("channel");
        }

        db.AgentChannels.Remove(channel);
        audit.Record(db, new AuditEntry("agent.channel_deleted", AuditTargetType.Agent, agentId));
        await db.SaveChangesAsync(cancellationToken);
        await AgentActivityClock.TouchAsync(db, agentId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static ChannelResponse ToResponse(AgentChannel c) =>
        new(c.Id, c.AgentId, c.Type, c.Name, ChannelSecrets.Masked(c.Config), c.Enabled, c.CreatedAt, c.UpdatedAt);
}
