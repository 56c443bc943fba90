using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Data.Security;

/// <summary>
/// Random tokens shown once and stored only as SHA-256 hashes (they carry 128+ bits, so no slow hash is needed). Shared by
/// the API (refresh tokens, invites, recovery codes, API keys) and the worker (the runtime keys it mints).
/// </summary>
public static class Secrets
{
    public static string NewToken(int bytes = 32) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool HashMatches(string token, string expectedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(expectedHash));

    /// <summary>Lower-case letters and digits without look-alikes, for prefixes and recovery codes.</summary>
    public static string NewCode(int length)
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        return string.Create(length, alphabet, (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = chars[RandomNumberGenerator.GetInt32(chars.Length)];
            }
        });
    }
}
