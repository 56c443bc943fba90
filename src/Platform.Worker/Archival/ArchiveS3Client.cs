using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Platform.Worker.Archival;

/// <summary>Creates the archive's S3 client from <see cref="S3ArchiveOptions"/>.</summary>
public static class ArchiveS3Client
{
    public static IAmazonS3 Create(S3ArchiveOptions options)
    {
        var config = new AmazonS3Config { ForcePathStyle = options.EffectiveForcePathStyle };
        if (options.EffectiveServiceUrl is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }
}
