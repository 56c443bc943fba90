using System.Collections.Concurrent;
using Platform.Data.Webhooks;

namespace Platform.Worker.Webhooks;

/// <summary>
/// The signing keys of stored secrets, unprotected once and kept in memory for a short time, so Data Protection runs once
/// per webhook rather than once per delivery. Keyed by the ciphertext: a rotated or replaced secret is a new ciphertext,
/// so it is never signed with a stale key. Bounded: past <see cref="Capacity"/> entries the cache starts over.
/// </summary>
public sealed class WebhookSigningKeys(WebhookSecrets secrets, TimeProvider clock)
{
    public const int Capacity = 4096;
    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (byte[] Key, DateTimeOffset Until)> _keys = new(StringComparer.Ordinal);

    public byte[] For(string cipher)
    {
        var now = clock.GetUtcNow();
        if (_keys.TryGetValue(cipher, out var cached) && cached.Until > now)
        {
            return cached.Key;
        }

        if (_keys.Count >= Capacity)
        {
            _keys.Clear();
        }

        var key = secrets.SigningKey(cipher);
        _keys[cipher] = (key, now + Keep);
        return key;
    }
}
