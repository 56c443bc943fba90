using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Api.Streams;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Resources;
using Platform.Runtime;

namespace Platform.Api.Agents;

/// <summary>
/// What the API asks of the runtime itself: waking an idle agent, restarting one and reading its logs. These answer 503
/// <c>runtime_unavailable</c> while the runtime does not answer; nothing else in the API needs it.
/// </summary>
public static class AgentRuntimeApi
{
    private const int DefaultTail = 200;

    public static RouteGroupBuilder MapAgentRuntime(this RouteGroupBuilder api)
    {
        var agents = api.MapGroup("/agents/{id:guid}").WithTags("Agent runtime");

        agents.MapPost("/wake", WakeAsync).RequireAuthorization(Permissions.AgentsWrite)
            .WithSummary("Wake an idle agent: active with its workload running when this answers; a no-op for an active agent, 409 for a paused one.");
        agents.MapPost("/restart", RestartAsync).RequireAuthorization(Permissions.AgentsWrite)
            .WithSummary("Restart an active (or failed) agent in a fresh workload with a rotated runtime key; 409 before it has one, or while paused or idle.");
        agents.MapGet("/logs", LogsAsync).RequireAuthorization(Permissions.AgentsRead).AcceptsStreamTicket("follow", "true")
            .WithSummary("The agent's last log lines; with follow=true a Server-Sent Events stream of new lines until its container stops.");
        return api;
    }

    private static async Task<Results<Ok<AgentResponse>, ProblemHttpResult>> WakeAsync(
        Guid id, PlatformDbContext db, AgentWaker waker, CurrentUser caller, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (agent is null)
        {
            return Problems.NotFound("agent");
        }

        switch (agent.Status)
        {
            case AgentStatus.Paused:
                return Problems.Conflict("The agent is paused: resume it instead.");
            case AgentStatus.Idle when agent.ContainerId is { } workload:
                var actor = caller.Required;
                await waker.WakeAsync(new WakeRequest(agent.TenantId, agent.Id, workload, actor.Type, actor.Id));
                break;
            case AgentStatus.Provisioning or AgentStatus.Error or AgentStatus.Idle:
                return Problems.Conflict($"An agent that is {agent.Status.ToString().ToLowerInvariant()} cannot be woken.");
        }

        var current = await db.Agents.AsNoTracking().Where(a => a.Id == id).Select(AgentProjection.ToResponse).FirstOrDefaultAsync(cancellationToken);
        return current is null ? Problems.NotFound("agent") : TypedResults.Ok(current);
    }

    private static async Task<Results<Ok<AgentResponse>, ProblemHttpResult>> RestartAsync(
        Guid id, PlatformDbContext db, AgentRestarter restarter, CurrentUser caller, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.Include(a => a.Channels).FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (agent is null)
        {
            return Problems.NotFound("agent");
        }

        if (agent is not { Status: AgentStatus.Active or AgentStatus.Error, ContainerId: not null })
        {
            return Problems.Conflict(agent.ContainerId is null
                ? "The agent has no container yet."
                : $"An agent that is {agent.Status.ToString().ToLowerInvariant()} cannot be restarted: wake or resume it first.");
        }

        await restarter.RestartAsync(db, agent, caller.Required, cancellationToken);
        return TypedResults.Ok(AgentProjection.From(agent));
    }

    private static async Task<Results<Ok<AgentLogsResponse>, ServerSentEventsResult<string>, ProblemHttpResult>> LogsAsync(
        Guid id, [AsParameters] AgentLogsQuery query, PlatformDbContext db, IAgentRuntime runtime, IOptions<StreamOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var agent = await db.Agents.AsNoTracking().Where(a => a.Id == id).Select(a => new { a.ContainerId }).FirstOrDefaultAsync(cancellationToken);
        if (agent is null)
        {
            return Problems.NotFound("agent");
        }

        if (agent.ContainerId is not { } workload)
        {
            return Problems.Conflict("The agent has no container yet.");
        }

        var logQuery = new LogQuery(query.Tail ?? DefaultTail, query.Since?.ToUniversalTime(), query.Follow == true);
        if (!logQuery.Follow)
        {
            var lines = new List<AgentLogLine>();
            await foreach (var line in runtime.ReadLogsAsync(workload, logQuery, cancellationToken))
            {
                lines.Add(AgentLogLine.From(line));
            }

            return TypedResults.Ok(new AgentLogsResponse(lines));
        }

        // The first read happens here, so an unreachable runtime is a 503 problem rather than a broken stream.
        var window = StreamWindow.Open(options, clock, cancellationToken);
        var stream = runtime.ReadLogsAsync(workload, logQuery, window.Token).GetAsyncEnumerator(window.Token);
        bool first;
        try
        {
            first = await window.MoveNextAsync(stream);
        }
        catch
        {
            await stream.DisposeAsync();
            window.Dispose();
            throw;
        }

        return TypedResults.ServerSentEvents(StreamAsync(stream, first, window));
    }

    /// <summary>
    /// The log lines as SSE items until the container stops or the window closes; the client leaving cancels the request,
    /// which ends the runtime's stream at once.
    /// </summary>
    private static async IAsyncEnumerable<SseItem<string>> StreamAsync(IAsyncEnumerator<LogLine> lines, bool hasCurrent, StreamWindow window)
    {
        using (window)
        await using (lines)
        {
            for (var more = hasCurrent; more; more = await window.MoveNextAsync(lines))
            {
                yield return new SseItem<string>(JsonSerializer.Serialize(AgentLogLine.From(lines.Current), LogJson.Options), "log");
            }
        }
    }

    private static class LogJson
    {
        public static readonly JsonSerializerOptions Options = Create();

        private static JsonSerializerOptions Create()
        {
            var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
            HttpSetup.Configure(options);
            return options;
        }
    }
}
