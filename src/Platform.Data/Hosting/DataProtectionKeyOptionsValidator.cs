using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Platform.Data.Hosting;

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
