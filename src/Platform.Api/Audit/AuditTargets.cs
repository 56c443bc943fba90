using Platform.Data.Entities;

namespace Platform.Api.Audit;

internal static class AuditTargets
{
    public static AuditTargetType? Of(object entity) => entity switch
    {
        Tenant => AuditTargetType.Tenant,
        User => AuditTargetType.User,
        Agent => AuditTargetType.Agent,
        Skill => AuditTargetType.Skill,
        ApiKey => AuditTargetType.ApiKey,
        TeamMember or TeamInvite => AuditTargetType.Team,
        _ => null,
    };
}
