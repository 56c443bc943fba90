using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Streams;

/// <summary>Section <c>Streams</c>: how long a stream stays open and how long its tickets live.</summary>
public sealed class StreamOptions
{
    public const string SectionName = "Streams";

    /// <summary>
    /// The server ends a Server-Sent Events stream cleanly after this long; clients reconnect and resume (as they must
    /// behind proxies that cut long responses anyway), which also bounds how long a revoked caller keeps a stream.
    /// </summary>
    [Range(1, 24 * 60 * 60)]
    public int MaxDurationSeconds { get; set; } = 15 * 60;

    /// <summary>How long a stream or dashboard ticket can wait to be used.</summary>
    [Range(1, 10 * 60)]
    public int TicketLifetimeSeconds { get; set; } = 60;

    public TimeSpan MaxDuration => TimeSpan.FromSeconds(MaxDurationSeconds);

    public TimeSpan TicketLifetime => TimeSpan.FromSeconds(TicketLifetimeSeconds);
}
