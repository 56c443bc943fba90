using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Platform.Data.Hosting;

/// <summary>
/// The key ring's certificates, loaded once at start: what validates them is what is registered, since opening a PFX
/// (its key derivation and RSA import) is a visible part of start-up.
/// </summary>
internal sealed record DataProtectionCertificates(X509Certificate2? Current, IReadOnlyList<X509Certificate2> Previous)
{
    /// <exception cref="OptionsValidationException">A certificate is required and missing, or one cannot be opened or has no private key.</exception>
    public static DataProtectionCertificates Load(DataProtectionKeyOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Certificate))
        {
            return options.RequireCertificate
                ? throw Invalid(["DataProtection:Certificate is required here: a base64 PFX whose key encrypts the key ring at rest."])
                : new DataProtectionCertificates(null, []);
        }

        var errors = new List<string>();
        var current = Open(options.Certificate, "DataProtection:Certificate", options.CertificatePassword, errors);
        var previous = options.PreviousCertificates
            .Select((base64, i) => Open(base64, $"DataProtection:PreviousCertificates:{i}", options.CertificatePassword, errors))
            .OfType<X509Certificate2>()
            .ToList();
        return errors.Count == 0 ? new DataProtectionCertificates(current, previous) : throw Invalid(errors);
    }

    private static X509Certificate2? Open(string base64, string key, string? password, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }

        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(base64.Trim()), password);
            if (certificate.HasPrivateKey)
            {
                return certificate;
            }

            certificate.Dispose();
            errors.Add($"{key} has no private key: the key ring could be written but never read back.");
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            errors.Add($"{key} is not a base64 PFX this password opens: {ex.Message}");
        }

        return null;
    }

    private static OptionsValidationException Invalid(IEnumerable<string> failures) =>
        new(DataProtectionKeyOptions.SectionName, typeof(DataProtectionKeyOptions), failures);
}
