namespace Platform.AppHost;

/// <summary>
/// Dashboard commands on the worker that run each recurring job now (for demos and support): a POST to the worker's
/// <c>/jobs/{name}/trigger</c>, which exists only with the key this AppHost generates and hands to both sides.
/// Not in a deployment: there the jobs run on their schedules and the Hangfire dashboard is the operator's tool.
/// </summary>
internal static class WorkerCommands
{
    public const string KeyHeader = "X-Job-Trigger-Key";

    /// <summary>The worker's recurring jobs (Platform.Worker's <c>RecurringJobs.Ids</c>) and the commands' names for them.</summary>
    public static readonly IReadOnlyList<(string JobId, string DisplayName)> Jobs =
    [
        ("refresh-token-cleanup", "Run refresh-token cleanup now"),
        ("invite-cleanup", "Run invite cleanup now"),
        ("audit-archival", "Run audit archival now"),
        ("audit-archive-retention", "Run audit archive retention now"),
        ("container-health-rollup", "Run container health roll-up now"),
        ("webhook-retention", "Run webhook retention now"),
    ];

    public static string CommandName(string jobId) => $"trigger-{jobId}";

    public static void Configure(IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> worker)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return;
        }

        var key = builder.AddParameter("job-trigger-key", SecretParameter.Generated(48), secret: true, persist: true);
        worker.WithEnvironment("Jobs__TriggerKey", key);
        foreach (var (jobId, displayName) in Jobs)
        {
            worker.WithHttpCommand($"/jobs/{jobId}/trigger", displayName, commandName: CommandName(jobId), commandOptions: new HttpCommandOptions
            {
                Description = $"Enqueues a run of the recurring job '{jobId}' now; it shows in the traces as one trace.",
                IconName = "Play",
                PrepareRequest = async context =>
                {
                    var value = await key.Resource.GetValueAsync(context.CancellationToken);
                    context.Request.Headers.Add(KeyHeader, value);
                },
            });
        }
    }
}
