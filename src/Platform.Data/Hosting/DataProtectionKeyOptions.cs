namespace Platform.Data.Hosting;

/// <summary>
/// Section <c>DataProtection</c>: the certificate that encrypts the Data Protection key ring at rest in PostgreSQL.
/// The keys encrypt MFA and channel secrets, so whoever reads the database without this certificate reads no secret.
/// </summary>
public sealed class DataProtectionKeyOptions
{
    public const string SectionName = "DataProtection";

    /// <summary>A PKCS#12 (PFX) file's bytes, base64-encoded, with its private key: what an Aspire secret parameter carries.</summary>
    public string? Certificate { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Certificates that encrypted keys before a rotation (base64 PFX): they still decrypt, never encrypt.</summary>
    public string[] PreviousCertificates { get; set; } = [];

    /// <summary>
    /// Refuse to start without <see cref="Certificate"/>. Off by default only so that tests and bare runs work; outside
    /// Development the host turns it on.
    /// </summary>
    public bool RequireCertificate { get; set; }
}
