namespace Platform.Data.Entities;

public class User
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>Always stored lower-case.</summary>
    public string Email { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;
    public string PasswordHash { get; set; } = string.Empty;
    public UserRole Role { get; set; } = UserRole.TenantMember;

    /// <summary>Null only for platform admins.</summary>
    public Guid? TenantId { get; set; }

    public Tenant? Tenant { get; set; }
    public bool MfaEnabled { get; set; }
    public string? MfaSecretEncrypted { get; set; }
    public List<string> RecoveryCodeHashes { get; set; } = [];

    /// <summary>The TOTP time step of the last code accepted: a code of that step or an earlier one is never accepted again.</summary>
    public long? MfaLastUsedStep { get; set; }

    public int FailedLoginCount { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset? LastLoginAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
