using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Worker.Webhooks;

/// <summary>
/// Standard Webhooks signatures: <c>v1,</c> + base64 HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c>, one per signing key,
/// space-separated (during a rotation the previous secret signs too).
/// </summary>
public static class WebhookSigner
{
    public static string Sign(string id, long timestamp, ReadOnlySpan<byte> body, IReadOnlyList<byte[]> keys)
    {
        var prefix = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{id}.{timestamp}.");
        var length = Encoding.UTF8.GetByteCount(prefix) + body.Length;
        var content = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(prefix, content);
            body.CopyTo(content.AsSpan(written));
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            var signatures = new StringBuilder(keys.Count * 48);
            foreach (var key in keys)
            {
                HMACSHA256.HashData(key, content.AsSpan(0, length), mac);
                signatures.Append(signatures.Length == 0 ? "v1," : " v1,").Append(Convert.ToBase64String(mac));
            }

            return signatures.ToString();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(content);
        }
    }
}
