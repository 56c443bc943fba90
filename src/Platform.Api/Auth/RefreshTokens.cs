using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;

namespace Platform.Api.Auth;

/// <summary>
/// Refresh tokens: random 256-bit values, stored only as SHA-256 hashes, rotated on every use. A token
/// presented after it was rotated means it leaked: its whole family is revoked.
/// </summary>
public sealed class RefreshTokens(AccessTokens accessTokens, IOptions<JwtOptions> options, TimeProvider clock)
{
    public enum Outcome
    {
        Rotated,
        Invalid,
        Reused,
    }

    /// <summary>Adds a new token (of a new family, a new session, unless one is given) to the context; the caller saves.</summary>
    public IssuedRefreshToken Issue(PlatformDbContext db, User user, HttpContext http, Guid? familyId = null)
    {
        var token = Secrets.NewToken();
        var family = familyId ?? Guid.CreateVersion7();
        db.RefreshTokens.Add(new RefreshToken
        {
            UserId = user.Id,
            TokenHash = Secrets.Hash(token),
            FamilyId = family,
            ExpiresAt = clock.GetUtcNow().AddDays(options.Value.RefreshTokenDays),
            CreatedAt = clock.GetUtcNow(),
            CreatedByIp = http.Connection.RemoteIpAddress,
            UserAgent = http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 512)] : null,
        });
        return new IssuedRefreshToken(token, family);
    }

    /// <summary>The token pair of a session: the access token carries the session (family) id, so revoking the family ends both.</summary>
    public TokenResponse Respond(User user, IssuedRefreshToken refresh) =>
        new(accessTokens.Create(user, refresh.FamilyId), refresh.Value, (int)accessTokens.Lifetime.TotalSeconds, UserResponse.From(user));

    /// <summary>
    /// Rotates <paramref name="presented"/>. The old row is claimed with a conditional UPDATE, so two
    /// concurrent refreshes with one token cannot both succeed: the loser is treated as a reuse.
    /// </summary>
    public async Task<(Outcome Outcome, RefreshToken? Token, IssuedRefreshToken? NewToken)> RotateAsync(
        PlatformDbContext db, string presented, HttpContext http, CancellationToken cancellationToken)
    {
        var hash = Secrets.Hash(presented);
        var token = await db.RefreshTokens.Include(t => t.User).FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (token?.User is null)
        {
            return (Outcome.Invalid, null, null);
        }

        var now = clock.GetUtcNow();
        if (token.RevokedAt is not null || token.ReplacedById is not null)
        {
            return (Outcome.Reused, token, null);
        }

        if (token.ExpiresAt <= now)
        {
            return (Outcome.Invalid, token, null);
        }

        var claimed = await db.RefreshTokens
            .Where(t => t.Id == token.Id && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
        if (claimed == 0)
        {
            return (Outcome.Reused, token, null);
        }

        var next = Issue(db, token.User, http, token.FamilyId);
        var nextRow = db.ChangeTracker.Entries<RefreshToken>().Single(e => e.State == EntityState.Added).Entity;
        token.RevokedAt = now;
        token.ReplacedById = nextRow.Id;
        return (Outcome.Rotated, token, next);
    }

    /// <summary>
    /// Revokes a session: its refresh tokens now, and (through the returned change, which the caller's next save
    /// writes) its access tokens on every replica within seconds.
    /// </summary>
    public async Task<SecurityChange> RevokeFamilyAsync(PlatformDbContext db, Guid familyId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await db.RefreshTokens
            .Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
        var change = SecurityChange.SessionRevoked(familyId, now);
        db.SecurityChanges.Add(change);
        return change;
    }

    /// <summary>
    /// Ends every session of a user, as <see cref="RevokeFamilyAsync"/> ends one. Every access token belongs to the
    /// family whose refresh token was issued with it, so revoking each family that issued a token within an access
    /// token's lifetime reaches exactly the tokens still alive; sessions opened afterwards are untouched.
    /// </summary>
    public async Task<IReadOnlyList<SecurityChange>> RevokeAllAsync(PlatformDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var stillIssuing = now - accessTokens.Lifetime - AccessTokens.ClockSkew;
        var families = await db.RefreshTokens
            .Where(t => t.UserId == userId && t.CreatedAt > stillIssuing)
            .Select(t => t.FamilyId).Distinct().ToListAsync(cancellationToken);
        await db.RefreshTokens
            .Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
        var changes = families.Select(family => SecurityChange.SessionRevoked(family, now)).ToList();
        db.SecurityChanges.AddRange(changes);
        return changes;
    }
}

/// <summary>A refresh token as issued: its value (shown once) and its family, the session id.</summary>
public sealed record IssuedRefreshToken(string Value, Guid FamilyId);
