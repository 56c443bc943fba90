using Hangfire;
using Platform.Worker.Archival;

namespace Platform.Worker.Jobs;

/// <summary>
/// Registers the recurring jobs at start. Hangfire's storage-wide locks make each schedule fire once
/// however many workers run; <see cref="DisableConcurrentExecutionAttribute"/> keeps runs from overlapping.
/// </summary>
public sealed class RecurringJobs(IRecurringJobManager jobs, ILogger<RecurringJobs> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var utc = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
        jobs.AddOrUpdate<CleanupJobs>("refresh-token-cleanup", j => j.RefreshTokensAsync(CancellationToken.None), Cron.Daily(2), utc);
        jobs.AddOrUpdate<CleanupJobs>("invite-cleanup", j => j.InvitesAsync(CancellationToken.None), Cron.Daily(2, 30), utc);
        jobs.AddOrUpdate<AuditArchiver>(ArchiveSetup.RecurringJobId, a => a.RunAsync(CancellationToken.None), Cron.Daily(3), utc);
        jobs.AddOrUpdate<HealthRollupJob>("container-health-rollup", j => j.RunAsync(CancellationToken.None), Cron.Hourly(5), utc);
        logger.LogInformation("Recurring jobs registered");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class JobsSetup
{
    public static IHostApplicationBuilder AddRetentionJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobAudit>();
        builder.Services.AddTransient<CleanupJobs>();
        builder.Services.AddTransient<HealthRollupJob>();
        builder.Services.AddHostedService<RecurringJobs>();
        return builder;
    }
}
