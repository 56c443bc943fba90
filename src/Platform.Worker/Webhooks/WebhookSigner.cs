using System.Security.Cryptography;
using System.Text;

namespace Platform.Worker.Webhooks;

/// <summary>
/// Standard Webhooks signatures: <c>v1,</c> + base64 HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c>, one per signing key,
/// space-separated (during a rotation the previous secret signs too).
/// </summary>
public static class WebhookSigner
{
    public static string Sign(string id, long timestamp, byte[] body, IEnumerable<byte[]> keys)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content, prefix.Length);
        return string.Join(' ', keys.Select(key => "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content))));
    }
}
