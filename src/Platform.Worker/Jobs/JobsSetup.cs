namespace Platform.Worker.Jobs;

public static class JobsSetup
{
    public static IHostApplicationBuilder AddRetentionJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<JobScheduleOptions>().BindConfiguration(JobScheduleOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<JobAudit>();
        builder.Services.AddTransient<CleanupJobs>();
        builder.Services.AddTransient<HealthRollupJob>();
        builder.Services.AddHostedService<RecurringJobs>();
        return builder;
    }
}
