using Microsoft.Extensions.Options;
using Platform.Api.RateLimiting;
using Platform.Data.Entities;
using Platform.Data.Security;

namespace Platform.Api.Auth;

/// <summary>
/// Abuse limits of the anonymous endpoints (per IP and per account, in Redis, across replicas) and the
/// account lockout: 5 failed logins lock it for 15 minutes.
/// </summary>
public sealed class LoginGuard(RedisWindowCounter counter, TimeProvider clock, IOptions<AbuseLimitOptions> limits)
{
    public const int MaxFailedLogins = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // A failed login for an unknown email verifies against this hash, so it costs what a known one does.
    private static readonly Lazy<string> DummyHash = new(() => Passwords.Hash(Guid.NewGuid().ToString()));

    public AbuseLimitOptions Limits => limits.Value;

    public static void WarmUp() => _ = DummyHash.Value;

    /// <summary>Null when allowed, else how long to wait.</summary>
    public async Task<TimeSpan?> CheckAsync(string action, HttpContext http, string? account, int perIp, int perAccount)
    {
        var ip = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var byIp = await counter.HitAsync($"{action}:ip:{ip}", perIp, Window);
        if (byIp is { Allowed: false })
        {
            return byIp.RetryAfter;
        }

        if (account is null)
        {
            return null;
        }

        var byAccount = await counter.HitAsync($"{action}:account:{account}", perAccount, Window);
        return byAccount is { Allowed: false } ? byAccount.RetryAfter : null;
    }

    public bool IsLocked(User user) => user.LockedUntil > clock.GetUtcNow();

    public static bool VerifyPassword(User? user, string password) =>
        user is null ? Passwords.Verify(password, DummyHash.Value) && false : Passwords.Verify(password, user.PasswordHash);

    /// <summary>Counts a failure; true when this failure locked the account.</summary>
    public bool RecordFailure(User user)
    {
        var now = clock.GetUtcNow();
        if (user.LockedUntil is { } until && until <= now)
        {
            user.FailedLoginCount = 0;
            user.LockedUntil = null;
        }

        user.FailedLoginCount++;
        user.UpdatedAt = now;
        if (user.FailedLoginCount < MaxFailedLogins)
        {
            return false;
        }

        user.LockedUntil = now + LockoutDuration;
        user.FailedLoginCount = 0;
        return true;
    }

    public void RecordSuccess(User user)
    {
        var now = clock.GetUtcNow();
        user.FailedLoginCount = 0;
        user.LockedUntil = null;
        user.LastLoginAt = now;
        user.UpdatedAt = now;
    }
}
