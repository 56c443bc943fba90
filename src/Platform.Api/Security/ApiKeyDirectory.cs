using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Platform.Data;
using Platform.Data.Tenancy;

namespace Platform.Api.Security;

/// <summary>A key as authentication needs it; <see cref="AgentId"/> is set on an agent's runtime key, which works for that agent only.</summary>
public sealed record ApiKeyEntry(
    Guid Id, Guid TenantId, string KeyHash, IReadOnlyList<string> Scopes, Guid? AgentId, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

/// <summary>
/// Finds API keys by prefix with at most one cached look-up per request, and records use so that
/// <c>last_used_at</c> is written at most once a minute per key, in batches, never per request.
/// </summary>
public sealed class ApiKeyDirectory(DbContextOptions<PlatformDbContext> dbOptions, IMemoryCache cache, TimeProvider clock)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _used = new();
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _lastWritten = new();

    public async Task<ApiKeyEntry?> FindAsync(string prefix, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(Key(prefix), out ApiKeyEntry? cached))
        {
            return cached;
        }

        // The tenant is unknown until the key is found: the look-up runs platform-wide, by its unique prefix only.
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        var entry = await db.ApiKeys.AsNoTracking()
            .Where(k => k.Prefix == prefix)
            .Select(k => new ApiKeyEntry(k.Id, k.TenantId, k.KeyHash, k.Scopes, k.AgentId, k.ExpiresAt, k.RevokedAt))
            .FirstOrDefaultAsync(cancellationToken);
        cache.Set(Key(prefix), entry, Ttl);
        return entry;
    }

    public void Evict(string prefix) => cache.Remove(Key(prefix));

    public void RecordUse(Guid keyId)
    {
        var now = clock.GetUtcNow();
        if (!_lastWritten.TryGetValue(keyId, out var written) || now - written >= TimeSpan.FromMinutes(1))
        {
            _used[keyId] = now;
        }
    }

    /// <summary>Writes the pending <c>last_used_at</c> values in one statement; called by <see cref="ApiKeyUsageFlusher"/>.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var pending = _used.ToArray();
        if (pending.Length == 0)
        {
            return 0;
        }

        foreach (var (id, at) in pending)
        {
            _used.TryRemove(new KeyValuePair<Guid, DateTimeOffset>(id, at));
            _lastWritten[id] = at;
        }

        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        var ids = pending.Select(p => p.Key).ToArray();
        var times = pending.Select(p => p.Value).ToArray();
        return await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE api_keys SET last_used_at = u.at
            FROM unnest({ids}::uuid[], {times}::timestamptz[]) AS u(id, at)
            WHERE api_keys.id = u.id AND (api_keys.last_used_at IS NULL OR api_keys.last_used_at < u.at)
            """, cancellationToken);
    }

    private static string Key(string prefix) => "apikey:" + prefix;
}
