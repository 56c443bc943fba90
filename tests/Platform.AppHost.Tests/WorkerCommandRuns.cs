using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.AppHost.Tests;

/// <summary>
/// The worker's dashboard commands, run as the dashboard runs them: each reaches the worker's trigger endpoint with the
/// key the AppHost generated (a wrong or missing key would be a 401, a failed command).
/// </summary>
internal static class WorkerCommandRuns
{
    public static async Task AssertEachJobCommandSucceedsAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var commands = app.Services.GetRequiredService<ResourceCommandService>();
        foreach (var job in JobRuns.Jobs)
        {
            var result = await commands.ExecuteCommandAsync("worker", $"trigger-{job.HangfireId}", cancellationToken);
            Assert.True(result.Success, $"trigger-{job.HangfireId}: {result.Message}");
        }
    }
}
