using Platform.Api.Tenants;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;

namespace Platform.Api.Team;

/// <summary>Invites: tokens shown once, stored as SHA-256 hashes, valid for 7 days.</summary>
public sealed class Invites(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public InviteIssued Create(PlatformDbContext db, Guid tenantId, string email, UserRole role, Guid? invitedBy)
    {
        var token = Secrets.NewToken();
        var now = clock.GetUtcNow();
        var invite = new TeamInvite
        {
            TenantId = tenantId,
            Email = email,
            Role = role,
            TokenHash = Secrets.Hash(token),
            Status = InviteStatus.Pending,
            InvitedByUserId = invitedBy,
            ExpiresAt = now + Lifetime,
            CreatedAt = now,
        };
        db.TeamInvites.Add(invite);
        return new InviteIssued(invite.Id, email, role, invite.ExpiresAt, token);
    }
}
