using System.ComponentModel.DataAnnotations;
using Hangfire;

namespace Platform.Worker.Jobs;

/// <summary>
/// Cron schedules of the recurring jobs (section <c>Jobs:Schedules</c>, UTC), checked when the worker starts (an invalid
/// expression fails the start, naming the setting). The defaults run the retention jobs at night, audit archival and
/// the archive's retention weekly as the design asks, and the roll-up five minutes past each hour; tests and the soak
/// shorten them.
/// </summary>
public sealed class JobScheduleOptions
{
    public const string SectionName = "Jobs:Schedules";

    [Required]
    public string RefreshTokenCleanup { get; set; } = Cron.Daily(2);

    [Required]
    public string InviteCleanup { get; set; } = Cron.Daily(2, 30);

    /// <summary>Weekly, Sundays 02:00: the batch size and the 90-day cut-off do not depend on it.</summary>
    [Required]
    public string AuditArchival { get; set; } = Cron.Weekly(DayOfWeek.Sunday, 2);

    /// <summary>Weekly, Sundays 04:00, after archival: expires archive objects past their year of cold storage.</summary>
    [Required]
    public string AuditArchiveRetention { get; set; } = Cron.Weekly(DayOfWeek.Sunday, 4);

    [Required]
    public string HealthRollup { get; set; } = Cron.Hourly(5);

    [Required]
    public string WebhookRetention { get; set; } = Cron.Daily(3, 30);
}
