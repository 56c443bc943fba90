using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting.Publishing;

namespace Platform.AppHost;

/// <summary>
/// A parameter default for development: a new self-signed certificate (base64 PFX, no password) that encrypts the
/// Data Protection key ring. Kept in the AppHost's user secrets (<c>persist: true</c>), so it survives restarts. Only for
/// run mode: a deployment's parameter has no default, and the operator supplies their own certificate.
/// </summary>
internal sealed class SelfSignedCertificateDefault(string subject) : ParameterDefault
{
    public override string GetDefaultValue()
    {
        using var key = RSA.Create(3072);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        return Convert.ToBase64String(certificate.Export(X509ContentType.Pfx));
    }

    public override void WriteToManifest(ManifestPublishingContext context) =>
        throw new NotSupportedException("A generated development certificate is never published.");
}
