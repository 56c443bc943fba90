using Microsoft.EntityFrameworkCore;

namespace Platform.Data;

/// <summary>
/// The same model over the read replica (<c>platformdb-read</c>) when one is configured, else over the
/// primary: for the heavy reads (audit query and export, metric series and summaries, the platform
/// overview). Row-level security applies exactly as on the primary.
/// </summary>
public sealed class PlatformReadDbContext(DbContextOptions<PlatformReadDbContext> options) : PlatformDbContext(options, null)
{
    /// <summary>Whether this context was rented on the replica (set on every rent by the routed factory).</summary>
    public bool OnReplica { get; internal set; }
}
