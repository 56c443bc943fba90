using System.Collections.Concurrent;

namespace Platform.Api.Security;

/// <summary>
/// This replica's view of ended sessions, filled from PostgreSQL by <see cref="SecurityChangeFeed"/>: the refresh-token
/// families (sessions) that were revoked by a logout, a reused token, a password or role change or a removal. Access
/// tokens carry their session and are checked against it on every request without a database round trip. Entries are
/// kept for as long as an access token can live.
/// </summary>
public sealed class SessionRevocations(TimeProvider clock)
{
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _sessions = new();

    /// <summary>False until the first load from PostgreSQL finished: until then nothing can be trusted.</summary>
    public bool IsLoaded { get; private set; }

    public void MarkLoaded() => IsLoaded = true;

    public void RevokeSession(Guid familyId, DateTimeOffset at) => _sessions[familyId] = at;

    public bool IsRevoked(Guid sessionId) => _sessions.ContainsKey(sessionId);

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
    }
}
