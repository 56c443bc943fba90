using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Platform.Worker.Archival;

/// <summary>What setting the bucket's lifecycle rule came to.</summary>
public enum LifecycleOutcome
{
    /// <summary>The rule is on the bucket (set now, or already there as configured).</summary>
    Applied,

    /// <summary>The store has no lifecycle configuration (s3rver answers NotImplemented): the retention job alone expires objects.</summary>
    NotSupported,

    /// <summary>No bucket yet: the first archival run creates it, and the next retention run sets the rule.</summary>
    NoBucket,

    /// <summary>The credentials may not read or set the bucket's lifecycle: the retention job alone expires objects.</summary>
    NotAllowed,

    /// <summary><see cref="S3ArchiveOptions.ApplyLifecycleRule"/> is off.</summary>
    Disabled,
}

/// <summary>
/// The bucket's S3 lifecycle rule <see cref="RuleId"/>: objects under <c>audit/</c> expire
/// <see cref="S3ArchiveOptions.ColdRetentionDays"/> days after they were written. S3 counts from the upload, which is
/// never earlier than the day the rows were due for archival, so the rule only ever removes what
/// <see cref="ArchiveExpiry"/> has already expired: it is the store's own backstop for when the retention job does
/// not run. Other rules on the bucket are kept: a put replaces the whole configuration, so it is read and merged.
/// </summary>
internal sealed class ArchiveLifecycle(IAmazonS3 s3, S3ArchiveOptions options, ILogger logger)
{
    public const string RuleId = "platform-audit-cold-retention";

    public async Task<LifecycleOutcome> ApplyAsync(CancellationToken cancellationToken)
    {
        if (!options.ApplyLifecycleRule)
        {
            return LifecycleOutcome.Disabled;
        }

        try
        {
            var rules = await ReadRulesAsync(cancellationToken);
            if (rules.Any(IsOurs))
            {
                return LifecycleOutcome.Applied;
            }

            var configuration = new LifecycleConfiguration
            {
                Rules = [.. rules.Where(r => r.Id != RuleId), OurRule()],
            };
            await s3.PutLifecycleConfigurationAsync(
                new PutLifecycleConfigurationRequest { BucketName = options.Bucket, Configuration = configuration }, cancellationToken);
            logger.LogInformation("Set lifecycle rule {Rule} on s3://{Bucket}: audit/ expires {Days} days after upload", RuleId, options.Bucket, options.ColdRetentionDays);
            return LifecycleOutcome.Applied;
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
            return LifecycleOutcome.NoBucket;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.NotImplemented or HttpStatusCode.MethodNotAllowed || ex.ErrorCode == "NotImplemented")
        {
            logger.LogInformation(
                "s3://{Bucket} has no lifecycle configuration ({Error}): the archive retention job alone expires objects", options.Bucket, ex.ErrorCode ?? ex.StatusCode.ToString());
            return LifecycleOutcome.NotSupported;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Forbidden)
        {
            logger.LogWarning(
                "Not allowed to set the lifecycle rule of s3://{Bucket} ({Error}): the archive retention job alone expires objects", options.Bucket, ex.ErrorCode);
            return LifecycleOutcome.NotAllowed;
        }
    }

    private async Task<List<LifecycleRule>> ReadRulesAsync(CancellationToken cancellationToken)
    {
        try
        {
            var existing = await s3.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = options.Bucket }, cancellationToken);
            return existing.Configuration?.Rules ?? [];
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchLifecycleConfiguration")
        {
            return [];
        }
    }

    private LifecycleRule OurRule() => new()
    {
        Id = RuleId,
        Status = LifecycleRuleStatus.Enabled,
        Filter = new LifecycleFilter { Prefix = ArchiveKeys.Root },
        Expiration = new LifecycleRuleExpiration { Days = options.ColdRetentionDays },
    };

    private bool IsOurs(LifecycleRule rule) =>
        rule.Id == RuleId && rule.Status == LifecycleRuleStatus.Enabled && rule.Filter?.Prefix == ArchiveKeys.Root
        && rule.Expiration?.Days == options.ColdRetentionDays;
}
