using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Platform.Data.Webhooks;

/// <summary>
/// Signing secrets as Standard Webhooks has them (<c>whsec_</c> + base64 of random bytes), encrypted at rest with Data
/// Protection (keys in PostgreSQL, shared by the API and the worker). The plain secret leaves only once, on creation or
/// rotation; it is never logged.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider dataProtection)
{
    public const string Prefix = "whsec_";
    private const int SecretBytes = 32;
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Platform.Webhooks.Secret.v1");

    /// <summary>A new secret and its ciphertext for storage.</summary>
    public (string Secret, string Cipher) Create()
    {
        var secret = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes));
        return (secret, _protector.Protect(secret));
    }

    /// <summary>The HMAC key of a stored secret: the base64-decoded part after <c>whsec_</c>.</summary>
    public byte[] SigningKey(string cipher) => Convert.FromBase64String(_protector.Unprotect(cipher)[Prefix.Length..]);
}
