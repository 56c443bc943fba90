using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

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

    public X509Certificate2? LoadCertificate() => Load(Certificate, CertificatePassword);

    public IEnumerable<X509Certificate2> LoadPreviousCertificates() =>
        PreviousCertificates.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => Load(c, CertificatePassword)!);

    internal static X509Certificate2? Load(string? base64, string? password) =>
        string.IsNullOrWhiteSpace(base64) ? null : X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(base64.Trim()), password);
}

internal sealed class DataProtectionKeyOptionsValidator : IValidateOptions<DataProtectionKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, DataProtectionKeyOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Certificate))
        {
            return options.RequireCertificate
                ? ValidateOptionsResult.Fail("DataProtection:Certificate is required here: a base64 PFX whose key encrypts the key ring at rest.")
                : ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        Check(options.Certificate, "DataProtection:Certificate", options.CertificatePassword, errors);
        for (var i = 0; i < options.PreviousCertificates.Length; i++)
        {
            Check(options.PreviousCertificates[i], $"DataProtection:PreviousCertificates:{i}", options.CertificatePassword, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(string base64, string key, string? password, List<string> errors)
    {
        try
        {
            using var certificate = DataProtectionKeyOptions.Load(base64, password);
            if (certificate is { HasPrivateKey: false })
            {
                errors.Add($"{key} has no private key: the key ring could be written but never read back.");
            }
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            errors.Add($"{key} is not a base64 PFX this password opens: {ex.Message}");
        }
    }
}
