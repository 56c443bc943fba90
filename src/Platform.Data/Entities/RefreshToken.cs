using System.Net;

namespace Platform.Data.Entities;

public class RefreshToken
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid UserId { get; set; }
    public User? User { get; set; }
    public string TokenHash { get; set; } = string.Empty;

    /// <summary>All tokens rotated from one login share a family; reuse revokes the family.</summary>
    public Guid FamilyId { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public Guid? ReplacedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public IPAddress? CreatedByIp { get; set; }
    public string? UserAgent { get; set; }
}
