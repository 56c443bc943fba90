using System.ComponentModel.DataAnnotations;

namespace Platform.Worker.Archival;

/// <summary>
/// Where and how audit rows are archived (section <c>Archive</c>). Without <see cref="ServiceUrl"/> the
/// client talks to AWS in <see cref="Region"/>; with it, to an S3-compatible server (s3rver, MinIO),
/// which switches the defaults to path-style addressing and plain (non aws-chunked) uploads.
/// </summary>
public sealed class S3ArchiveOptions : IValidatableObject
{
    public const string SectionName = "Archive";

    /// <summary>An S3-compatible endpoint such as <c>http://127.0.0.1:4568</c>; null or empty for AWS itself.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary><see cref="ServiceUrl"/>, with an empty value (an unset deployment parameter) meaning AWS.</summary>
    public string? EffectiveServiceUrl => string.IsNullOrWhiteSpace(ServiceUrl) ? null : ServiceUrl.Trim();

    /// <summary>The AWS region, or the signing region of an S3-compatible server.</summary>
    [Required]
    public string Region { get; set; } = "us-east-1";

    /// <summary>Created when missing.</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", ErrorMessage = "Archive:Bucket must be a valid S3 bucket name (3-63 lower-case letters, digits, '.', '-').")]
    public string Bucket { get; set; } = "platform-audit";

    /// <summary>With <see cref="SecretKey"/>; both null = the default AWS credential chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Path-style URLs (<c>host/bucket/key</c>); null = on when <see cref="ServiceUrl"/> is set.</summary>
    public bool? ForcePathStyle { get; set; }

    /// <summary>
    /// aws-chunked uploads; null = off when <see cref="ServiceUrl"/> is set. s3rver stores an aws-chunked
    /// body verbatim (chunk headers and trailers included), which would corrupt every object.
    /// </summary>
    public bool? UseChunkEncoding { get; set; }

    /// <summary>Audit rows stay this many days in PostgreSQL; older complete UTC days are archived.</summary>
    [Range(1, 36_500)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>
    /// Days an archive object is kept in the bucket once its rows were due for archival: the object of UTC day D goes
    /// when D + 1 + <see cref="RetentionDays"/> + this is past. Decided by the key's day, not by the object's upload
    /// time (<see cref="ArchiveExpiry"/> says why); the bucket's lifecycle rule, where the store has one, counts the
    /// same days from the upload and only ever comes later.
    /// </summary>
    [Range(1, 36_500)]
    public int ColdRetentionDays { get; set; } = 365;

    /// <summary>Whether the retention sets the bucket's S3 lifecycle rule (expiry of <c>audit/</c> after <see cref="ColdRetentionDays"/>).</summary>
    public bool ApplyLifecycleRule { get; set; } = true;

    /// <summary>
    /// Ids per DELETE statement when a run finishes a part a stopped run left (the part's ids are read from its
    /// object; all of them in one transaction). A normal run deletes a group with one statement in its snapshot.
    /// </summary>
    [Range(100, 100_000)]
    public int DeleteBatchSize { get; set; } = 5_000;

    /// <summary>
    /// The zlib level of the archive objects (1 fastest … 9 smallest). A low level makes NDJSON objects a little
    /// bigger than gzip's default for much less CPU, which is most of what an archival run spends (bench P5).
    /// </summary>
    [Range(1, 9)]
    public int CompressionLevel { get; set; } = 2;

    /// <summary>(tenant, day) groups read per query while looking for work.</summary>
    [Range(1, 100_000)]
    public int GroupPageSize { get; set; } = 500;

    public bool EffectiveForcePathStyle => ForcePathStyle ?? EffectiveServiceUrl is not null;

    public bool EffectiveUseChunkEncoding => UseChunkEncoding ?? EffectiveServiceUrl is null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (EffectiveServiceUrl is not null
            && (!Uri.TryCreate(EffectiveServiceUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult("Archive:ServiceUrl must be an absolute http(s) URL.", [nameof(ServiceUrl)]);
        }

        if (string.IsNullOrEmpty(AccessKey) != string.IsNullOrEmpty(SecretKey))
        {
            yield return new ValidationResult(
                "Archive:AccessKey and Archive:SecretKey go together: set both, or neither for the default AWS credential chain.",
                [nameof(AccessKey), nameof(SecretKey)]);
        }
    }
}
