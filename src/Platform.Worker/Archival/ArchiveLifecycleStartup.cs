using Amazon.S3;
using Microsoft.Extensions.Options;

namespace Platform.Worker.Archival;

/// <summary>
/// Sets the bucket's lifecycle rule once when the worker starts, in the background: S3 being down or slow must not hold
/// up or fail the start (the <c>s3</c> health check reports it), and every archive retention run sets the rule again.
/// </summary>
internal sealed class ArchiveLifecycleStartup(
    [FromKeyedServices(ArchiveSetup.S3ClientKey)] IAmazonS3 s3, IOptions<S3ArchiveOptions> options, ILogger<ArchiveLifecycleStartup> logger) : BackgroundService
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(Bound);
        try
        {
            var outcome = await new ArchiveLifecycle(s3, options.Value, logger).ApplyAsync(timeout.Token);
            logger.LogInformation("Archive lifecycle rule at start-up: {Outcome}", outcome);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the next retention run sets the rule.
        }
        catch (Exception ex)
        {
            logger.LogWarning("Could not set the archive lifecycle rule at start-up ({Error}); the next archive retention run tries again", ex.Message);
        }
    }
}
