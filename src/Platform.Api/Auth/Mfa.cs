using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OtpNet;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;

namespace Platform.Api.Auth;

/// <summary>
/// TOTP with Otp.NET. Secrets are encrypted with Data Protection (keys in PostgreSQL); a code is accepted once: the
/// user's last accepted time step is claimed atomically in PostgreSQL, so neither a replay nor a concurrent second
/// login with the same code passes, whatever state Redis is in. Recovery codes are single-use and stored hashed.
/// </summary>
public sealed class Mfa(IDataProtectionProvider dataProtection)
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

    public async Task<bool> VerifyCodeAsync(PlatformDbContext db, User user, string code, CancellationToken cancellationToken)
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

        var claimed = await db.Users
            .Where(u => u.Id == user.Id && (u.MfaLastUsedStep == null || u.MfaLastUsedStep < step))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.MfaLastUsedStep, step), cancellationToken);
        return claimed == 1;
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
