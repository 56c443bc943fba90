using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.Worker.Health;

/// <summary>
/// /health must answer while a dependency hangs, or an orchestrator's probe times out and counts a live worker as dead.
/// Every check gets <see cref="CheckTimeout"/> (those registered with none, Aspire's database check included); the
/// checks run side by side, so /health answers within about that. A check that calls out gives up a little earlier,
/// <see cref="CallTimeout"/>, so its own message says what did not answer.
/// </summary>
public static class HealthCheckBounds
{
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    public static IHostApplicationBuilder BoundHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations.Where(r => r.Timeout <= TimeSpan.Zero || r.Timeout > CheckTimeout))
            {
                registration.Timeout = CheckTimeout;
            }
        });
        return builder;
    }
}
