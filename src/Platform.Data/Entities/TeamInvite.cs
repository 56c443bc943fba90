namespace Platform.Data.Entities;

public class TeamInvite
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }

    /// <summary>Always stored lower-case.</summary>
    public string Email { get; set; } = string.Empty;

    public UserRole Role { get; set; } = UserRole.TenantMember;
    public string TokenHash { get; set; } = string.Empty;
    public InviteStatus Status { get; set; } = InviteStatus.Pending;
    public Guid? InvitedByUserId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
