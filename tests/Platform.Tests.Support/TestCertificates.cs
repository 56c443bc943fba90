using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Platform.Tests.Support;

public static class TestCertificates
{
    private static readonly Lazy<string> DataProtection = new(() => SelfSignedPfxBase64("Platform tests data protection"));

    /// <summary>A self-signed certificate as <c>DataProtection:Certificate</c> expects it (base64 PFX), one per test run.</summary>
    public static string DataProtectionPfxBase64 => DataProtection.Value;

    public static string SelfSignedPfxBase64(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return Convert.ToBase64String(certificate.Export(X509ContentType.Pfx));
    }
}
