using System.ComponentModel.DataAnnotations;
using Hangfire;

namespace Platform.Worker.Jobs;

/// <summary>
/// Cron schedules of the recurring jobs (section <c>Jobs:Schedules</c>, UTC). The defaults run the retention jobs
/// at night and the roll-up five minutes past each hour; tests and the soak shorten them.
/// </summary>
public sealed class JobScheduleOptions
{
    public const string SectionName = "Jobs:Schedules";

    [Required]
    public string RefreshTokenCleanup { get; set; } = Cron.Daily(2);

    [Required]
    public string InviteCleanup { get; set; } = Cron.Daily(2, 30);

    [Required]
    public string AuditArchival { get; set; } = Cron.Daily(3);

    [Required]
    public string HealthRollup { get; set; } = Cron.Hourly(5);

    [Required]
    public string WebhookRetention { get; set; } = Cron.Daily(3, 30);
}
