using System.Collections.Concurrent;

namespace Platform.Api.Security;

/// <summary>
/// This replica's view of ended sessions, filled from PostgreSQL by <see cref="SecurityChangeFeed"/>: refresh-token
/// families that were revoked (logout, a reused token) and users whose earlier tokens all stopped (password change,
/// role change, removal). Access tokens are checked against it on every request without a database round trip.
/// Entries are kept for as long as an access token can live.
/// </summary>
public sealed class SessionRevocations(TimeProvider clock)
{
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _sessions = new();
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _users = new();

    /// <summary>False until the first load from PostgreSQL finished: until then nothing can be trusted.</summary>
    public bool IsLoaded { get; private set; }

    public void MarkLoaded() => IsLoaded = true;

    public void RevokeSession(Guid familyId, DateTimeOffset at) => _sessions[familyId] = at;

    public void RevokeUserBefore(Guid userId, DateTimeOffset at) =>
        _users.AddOrUpdate(userId, at, (_, existing) => existing > at ? existing : at);

    /// <summary>
    /// True when a token of <paramref name="sessionId"/> (may be null for tokens without one) issued to
    /// <paramref name="userId"/> at <paramref name="issuedAt"/> (whole seconds, as JWTs carry it) must be refused.
    /// </summary>
    public bool IsRevoked(Guid userId, Guid? sessionId, DateTimeOffset issuedAt)
    {
        if (sessionId is { } sid && _sessions.ContainsKey(sid))
        {
            return true;
        }

        // A token issued in the same second as the change, but before it, carries the same whole second: it passes.
        // Refusing it would also refuse a token issued right after the change, which is worse.
        return _users.TryGetValue(userId, out var before) && issuedAt.ToUnixTimeSeconds() < before.ToUnixTimeSeconds();
    }

    /// <summary>Forgets entries older than any access token still alive.</summary>
    public void Prune(TimeSpan tokenLifetime)
    {
        var horizon = clock.GetUtcNow() - tokenLifetime;
        foreach (var (id, at) in _sessions)
        {
            if (at < horizon)
            {
                _sessions.TryRemove(new KeyValuePair<Guid, DateTimeOffset>(id, at));
            }
        }

        foreach (var (id, at) in _users)
        {
            if (at < horizon)
            {
                _users.TryRemove(new KeyValuePair<Guid, DateTimeOffset>(id, at));
            }
        }
    }
}
