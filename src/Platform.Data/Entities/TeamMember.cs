namespace Platform.Data.Entities;

public class TeamMember
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid UserId { get; set; }
    public User? User { get; set; }

    /// <summary>tenant_admin or tenant_member.</summary>
    public UserRole Role { get; set; } = UserRole.TenantMember;

    public DateTimeOffset JoinedAt { get; set; }
}
