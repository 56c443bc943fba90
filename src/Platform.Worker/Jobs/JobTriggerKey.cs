using System.Security.Cryptography;
using System.Text;

namespace Platform.Worker.Jobs;

/// <summary>The configured trigger key, compared in constant time with what a caller presents.</summary>
internal sealed class JobTriggerKey(string key)
{
    // Hashes of equal length: the comparison then takes the same time whatever the presented value's length.
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool Matches(string? presented) =>
        !string.IsNullOrEmpty(presented)
        && CryptographicOperations.FixedTimeEquals(_expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
