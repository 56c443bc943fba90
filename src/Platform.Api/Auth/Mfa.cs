using Microsoft.AspNetCore.DataProtection;
using OtpNet;
using Platform.Api.Security;
using Platform.Data.Entities;
using StackExchange.Redis;

namespace Platform.Api.Auth;

/// <summary>
/// TOTP with Otp.NET. Secrets are encrypted with Data Protection (keys shared through Redis); a code is
/// accepted once (remembered in Redis for its window); recovery codes are single-use and stored hashed.
/// </summary>
public sealed class Mfa(IDataProtectionProvider dataProtection, IConnectionMultiplexer redis, ILogger<Mfa> logger)
{
    public const int RecoveryCodeCount = 10;
    private const string Issuer = "Platform";
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Platform.Auth.MfaSecret.v1");

    public (string Secret, string Uri) NewSecret(User user)
    {
        var secret = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));
        user.MfaSecretEncrypted = _protector.Protect(secret);
        var uri = new OtpUri(OtpType.Totp, secret, user.Email, Issuer).ToString();
        return (secret, uri);
    }

    public async Task<bool> VerifyCodeAsync(User user, string code)
    {
        if (user.MfaSecretEncrypted is null || code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return false;
        }

        var totp = new Totp(Base32Encoding.ToBytes(_protector.Unprotect(user.MfaSecretEncrypted)));
        if (!totp.VerifyTotp(code, out var step, new VerificationWindow(previous: 1, future: 1)))
        {
            return false;
        }

        try
        {
            return await redis.GetDatabase().StringSetAsync($"mfa:used:{user.Id}:{step}", 1, TimeSpan.FromMinutes(3), When.NotExists);
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "TOTP replay protection unavailable");
            return true;
        }
    }

    /// <summary>Replaces the user's recovery codes; returns the plain codes, shown once.</summary>
    public static IReadOnlyList<string> NewRecoveryCodes(User user)
    {
        var codes = Enumerable.Range(0, RecoveryCodeCount)
            .Select(_ => string.Join('-', Enumerable.Range(0, 4).Select(_ => Secrets.NewCode(4))))
            .ToList();
        user.RecoveryCodeHashes = [.. codes.Select(c => Secrets.Hash(c))];
        return codes;
    }

    /// <summary>Consumes a recovery code: true once per code.</summary>
    public static bool UseRecoveryCode(User user, string code)
    {
        var normalized = code.Trim().ToLowerInvariant();
        var index = user.RecoveryCodeHashes.FindIndex(h => Secrets.HashMatches(normalized, h));
        if (index < 0)
        {
            return false;
        }

        user.RecoveryCodeHashes = [.. user.RecoveryCodeHashes.Where((_, i) => i != index)];
        return true;
    }
}
