using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;

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

    /// <summary>Adds a new token (of a new family unless one is given) to the context; the caller saves.</summary>
    public string Issue(PlatformDbContext db, User user, HttpContext http, Guid? familyId = null)
    {
        var token = Secrets.NewToken();
        db.RefreshTokens.Add(new RefreshToken
        {
            UserId = user.Id,
            TokenHash = Secrets.Hash(token),
            FamilyId = familyId ?? Guid.CreateVersion7(),
            ExpiresAt = clock.GetUtcNow().AddDays(options.Value.RefreshTokenDays),
            CreatedAt = clock.GetUtcNow(),
            CreatedByIp = http.Connection.RemoteIpAddress,
            UserAgent = http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 512)] : null,
        });
        return token;
    }

    public TokenResponse Respond(User user, string refreshToken) =>
        new(accessTokens.Create(user), refreshToken, (int)accessTokens.Lifetime.TotalSeconds, UserResponse.From(user));

    /// <summary>
    /// Rotates <paramref name="presented"/>. The old row is claimed with a conditional UPDATE, so two
    /// concurrent refreshes with one token cannot both succeed: the loser is treated as a reuse.
    /// </summary>
    public async Task<(Outcome Outcome, RefreshToken? Token, string? NewToken)> RotateAsync(
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

    public Task<int> RevokeFamilyAsync(PlatformDbContext db, Guid familyId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return db.RefreshTokens
            .Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
    }

    public Task<int> RevokeAllAsync(PlatformDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return db.RefreshTokens
            .Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
    }
}
