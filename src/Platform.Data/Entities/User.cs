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
    public int FailedLoginCount { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset? LastLoginAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
