using Hangfire;
using Microsoft.Extensions.Options;
using Platform.Worker.Archival;
using Platform.Worker.Webhooks;

namespace Platform.Worker.Jobs;

/// <summary>
/// Registers the recurring jobs at start. Hangfire's storage-wide locks make each schedule fire once
/// however many workers run; each job's <see cref="JobLock"/> keeps runs from overlapping.
/// </summary>
public sealed class RecurringJobs(IRecurringJobManager jobs, IOptions<JobScheduleOptions> options, ILogger<RecurringJobs> logger) : IHostedService
{
    public const string RefreshTokenCleanup = "refresh-token-cleanup";
    public const string InviteCleanup = "invite-cleanup";
    public const string HealthRollup = "container-health-rollup";
    public const string WebhookRetention = "webhook-retention";

    /// <summary>Every recurring job's id, as the dashboard, the trigger endpoint and the AppHost's commands name it.</summary>
    public static IReadOnlyList<string> Ids { get; } = [RefreshTokenCleanup, InviteCleanup, ArchiveSetup.RecurringJobId, ArchiveSetup.RetentionJobId, HealthRollup, WebhookRetention];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var schedules = options.Value;
        Register<CleanupJobs>(RefreshTokenCleanup, j => j.RefreshTokensAsync(CancellationToken.None),
            nameof(schedules.RefreshTokenCleanup), schedules.RefreshTokenCleanup);
        Register<CleanupJobs>(InviteCleanup, j => j.InvitesAsync(CancellationToken.None),
            nameof(schedules.InviteCleanup), schedules.InviteCleanup);
        Register<AuditArchiver>(ArchiveSetup.RecurringJobId, a => a.RunAsync(CancellationToken.None),
            nameof(schedules.AuditArchival), schedules.AuditArchival);
        Register<ArchiveRetentionJob>(ArchiveSetup.RetentionJobId, j => j.RunAsync(CancellationToken.None),
            nameof(schedules.AuditArchiveRetention), schedules.AuditArchiveRetention);
        Register<HealthRollupJob>(HealthRollup, j => j.RunAsync(CancellationToken.None),
            nameof(schedules.HealthRollup), schedules.HealthRollup);
        Register<WebhookRetentionJob>(WebhookRetention, j => j.RunAsync(CancellationToken.None),
            nameof(schedules.WebhookRetention), schedules.WebhookRetention);
        logger.LogInformation("Recurring jobs registered");
        return Task.CompletedTask;
    }

    private void Register<TJob>(string id, System.Linq.Expressions.Expression<Func<TJob, Task>> call, string setting, string cron)
    {
        try
        {
            jobs.AddOrUpdate(id, call, cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }
        catch (ArgumentException e)
        {
            // Hangfire checks the expression here: fail the start with the setting's name rather than a stack trace.
            throw new OptionsValidationException(JobScheduleOptions.SectionName, typeof(JobScheduleOptions),
                [$"{JobScheduleOptions.SectionName}:{setting} = '{cron}' is not a valid cron expression: {e.Message}"]);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
