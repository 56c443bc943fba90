using Microsoft.EntityFrameworkCore;
using Platform.Data;

namespace Platform.Api.Agents;

/// <summary>
/// A user's write to an agent through the API (its channels, its skills) counts as activity: it postpones hibernation,
/// and an idle agent whose <c>last_active_at</c> moves past its <c>idle_since</c> is woken by the worker's next sweep.
/// Touched after the write committed, and never allowed to turn that write into an error: a touch that fails only
/// means this write does not wake the agent.
/// </summary>
internal static class AgentActivityClock
{
    public static async Task TouchAsync(PlatformDbContext db, Guid agentId, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        try
        {
            await db.Agents.Where(a => a.Id == agentId && (a.LastActiveAt == null || a.LastActiveAt < now))
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LastActiveAt, now), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The write it follows stands; see the summary.
        }
    }
}
