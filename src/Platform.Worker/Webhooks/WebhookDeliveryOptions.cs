using System.ComponentModel.DataAnnotations;

namespace Platform.Worker.Webhooks;

/// <summary>How the worker delivers webhook events; the defaults are Svix's schedule and Standard Webhooks' limits.</summary>
public sealed class WebhookDeliveryOptions
{
    public const string SectionName = "Webhooks:Delivery";

    /// <summary>
    /// How often the loop looks for new events and due deliveries when nothing woke it: the safety net under the
    /// LISTEN/NOTIFY wake-up, and what picks up a retry when its wait is over.
    /// </summary>
    [Range(10, 300_000)]
    public int PollIntervalMs { get; set; } = 5_000;

    /// <summary>
    /// The waits after each failed attempt (the first attempt is immediate): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    /// A delivery that fails them all is failed.
    /// </summary>
    [MinLength(1)]
    public double[] RetryDelaysSeconds { get; set; } = [5, 300, 1800, 7200, 18000, 36000, 36000];

    /// <summary>The fraction by which each wait is randomly lengthened or shortened, so retries do not arrive in step.</summary>
    [Range(0, 0.5)]
    public double Jitter { get; set; } = 0.2;

    /// <summary>A receiver must answer 2xx within this time.</summary>
    [Range(1, 60)]
    public int TimeoutSeconds { get; set; } = 15;

    /// <summary>How long a claim outlives the attempt's timeout before another worker may take the delivery again.</summary>
    [Range(1, 3600)]
    public int LeaseMarginSeconds { get; set; } = 30;

    [Range(1, 64)]
    public int MaxConcurrencyPerEndpoint { get; set; } = 4;

    [Range(1, 1000)]
    public int MaxInFlight { get; set; } = 64;

    /// <summary>
    /// At most this many of one tenant's deliveries in flight (platform-wide webhooks count as one tenant), so a tenant
    /// with many slow endpoints, each within its own cap, cannot take the whole pool. Above <see cref="MaxInFlight"/> it
    /// changes nothing.
    /// </summary>
    [Range(1, 1000)]
    public int MaxInFlightPerTenant { get; set; } = 32;

    /// <summary>
    /// How far the worker claims ahead of its free sending slots, as a multiple of the per-endpoint, per-tenant and total
    /// caps: what it holds waiting is started the moment a slot frees, without waiting for a claim. 1 claims only for
    /// free slots. What is held must cover what is sent while a fan-out's statement runs (it inserts and returns the
    /// deliveries it leases, so it takes longer than a claim's update), or the senders wait for it.
    /// </summary>
    [Range(1, 16)]
    public int ClaimAhead { get; set; } = 8;

    /// <summary>At most this many delivered attempts are written in one statement.</summary>
    [Range(1, 10_000)]
    public int RecordBatchSize { get; set; } = 256;

    [Range(0, 1_048_576)]
    public int MaxResponseBytes { get; set; } = 4096;

    /// <summary>An endpoint that has failed everything for this long is disabled, with one alert for its tenant.</summary>
    [Range(1, 10_000_000)]
    public double DisableAfterFailingSeconds { get; set; } = TimeSpan.FromDays(5).TotalSeconds;
}
