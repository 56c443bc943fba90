using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.Worker.HealthChecks;

/// <summary>
/// /health must answer while a dependency hangs, or an orchestrator's probe times out and counts a live worker as dead.
/// The checks run side by side, each with a bound:
/// <list type="bullet">
/// <item>Docker and S3 can only make the worker Degraded: <see cref="OptionalDependencyTimeout"/>, short, so /health
/// answers 200 within about that while either hangs. Their calls give up a little earlier, <see cref="CallTimeout"/>,
/// so the check's own message says what did not answer.</item>
/// <item>Every other check (PostgreSQL through the database and Hangfire checks, Aspire's included) makes it Unhealthy
/// when it fails or times out: <see cref="DefaultTimeout"/> is long enough that a cold start or a busy moment is not
/// reported as a dead database (a first check builds the EF model, seconds on a loaded small machine), and still
/// bounds the answer while PostgreSQL hangs.</item>
/// </list>
/// </summary>
public static class HealthCheckBounds
{
    public static readonly TimeSpan OptionalDependencyTimeout = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Gives every check registered without a bound (or a longer one) <see cref="DefaultTimeout"/>.</summary>
    public static IHostApplicationBuilder BoundHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations.Where(r => r.Timeout <= TimeSpan.Zero || r.Timeout > DefaultTimeout))
            {
                registration.Timeout = DefaultTimeout;
            }
        });
        return builder;
    }
}
