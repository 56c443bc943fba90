using System.ComponentModel.DataAnnotations;

namespace Platform.Worker.Hibernation;

/// <summary>Section <c>Agents</c>: when quiet agents go to sleep, and how deep.</summary>
public sealed class HibernationOptions : IValidatableObject
{
    public const string SectionName = "Agents";

    /// <summary>
    /// An active agent with no activity for this long becomes idle, its workload frozen (or, on a swarm, scaled to 0). A
    /// tenant's <c>resourceLimits.hibernateAfterMinutes</c> overrides it; zero (here or there) means never.
    /// </summary>
    public TimeSpan HibernateAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A frozen agent is stopped, holding no memory, after this much longer.</summary>
    public TimeSpan StopAfter { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// Agents with an enabled Slack or Teams channel are left awake unless this is set: those channels push messages
    /// that a sleeping agent would not be there to take, and their senders give up after a few retries. E-mail waits
    /// in the mailbox, so it does not keep an agent awake.
    /// </summary>
    public bool HibernateWithRealtimeChannels { get; set; }

    /// <summary>How often agents are checked: the longest an implicit wake (a write to an idle agent) waits.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Agents moved per stage and sweep.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HibernateAfter < TimeSpan.Zero || StopAfter <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Agents:HibernateAfter must be zero (never) or positive, and Agents:StopAfter positive.");
        }

        if (SweepInterval < TimeSpan.FromMilliseconds(100) || SweepInterval > TimeSpan.FromHours(1))
        {
            yield return new ValidationResult("Agents:SweepInterval must be between 100 ms and 1 hour.");
        }
    }
}
