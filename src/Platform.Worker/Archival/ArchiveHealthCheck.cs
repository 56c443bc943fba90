using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Platform.Worker.HealthChecks;

namespace Platform.Worker.Archival;

/// <summary>
/// Healthy when the archive bucket's S3 endpoint answers; Degraded when it does not. Archival runs weekly and a
/// run that cannot reach S3 deletes nothing and is retried, so an outage only delays it: no reason for an orchestrator
/// to restart the worker.
/// </summary>
internal sealed class ArchiveHealthCheck(
    [FromKeyedServices(ArchiveSetup.S3ClientKey)] IAmazonS3 s3, IOptions<S3ArchiveOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var bucket = options.Value.Bucket;
        var where = $"s3://{bucket} at {options.Value.EffectiveServiceUrl ?? "AWS " + options.Value.Region}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HealthCheckBounds.CallTimeout);
        try
        {
            await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, timeout.Token).WaitAsync(timeout.Token);
            return HealthCheckResult.Healthy($"{where} is reachable.");
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return HealthCheckResult.Healthy($"{where} answers; the bucket does not exist yet and the next archival run creates it.");
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Forbidden)
        {
            // Credentials that may write objects but not look at the bucket: the archiver works with those too.
            return HealthCheckResult.Healthy($"{where} answers (not allowed to look at the bucket itself).");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded($"{where} did not answer within {HealthCheckBounds.CallTimeout.TotalSeconds:F0} s.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The message is the diagnosis; a stack trace in the log at every probe would only bury it.
            return HealthCheckResult.Degraded($"{where} is unreachable: {ex.Message}");
        }
    }
}
