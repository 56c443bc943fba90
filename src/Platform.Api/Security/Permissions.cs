using Platform.Data.Entities;

namespace Platform.Api.Security;

/// <summary>The permission matrix of the API contract; computed from the role, never stored.</summary>
public static class Permissions
{
    public const string PlatformManage = "platform:manage";
    public const string TenantRead = "tenant:read";
    public const string TenantUpdate = "tenant:update";
    public const string AgentsRead = "agents:read";
    public const string AgentsWrite = "agents:write";
    public const string TeamRead = "team:read";
    public const string TeamManage = "team:manage";
    public const string ApiKeysManage = "api_keys:manage";
    public const string SkillsInstall = "skills:install";
    public const string SkillsRead = "skills:read";
    public const string AlertsRead = "alerts:read";
    public const string AlertsManage = "alerts:manage";
    public const string AuditRead = "audit:read";
    public const string ActivitiesWrite = "activities:write";
    public const string MetricsWrite = "metrics:write";

    public static readonly string[] All =
    [
        PlatformManage, TenantRead, TenantUpdate, AgentsRead, AgentsWrite, TeamRead, TeamManage, ApiKeysManage,
        SkillsInstall, SkillsRead, AlertsRead, AlertsManage, AuditRead, ActivitiesWrite, MetricsWrite,
    ];

    private static readonly string[] TenantMember =
        [TenantRead, AgentsRead, AgentsWrite, TeamRead, SkillsInstall, SkillsRead, AlertsRead];

    private static readonly string[] TenantAdmin =
        [.. TenantMember, TenantUpdate, TeamManage, ApiKeysManage, AlertsManage, AuditRead];

    /// <summary>What an API key may be granted; each scope is the permission of the same name.</summary>
    public static readonly string[] ApiKeyScopes = [AgentsRead, AgentsWrite, ActivitiesWrite, MetricsWrite, SkillsRead];

    /// <summary>
    /// Runtime data (activities, metrics) is what an agent reports about itself: only API keys with these scopes post
    /// it. No human role holds them, a platform admin included, so both runtime endpoints follow one rule.
    /// </summary>
    private static readonly string[] RuntimeOnly = [ActivitiesWrite, MetricsWrite];

    private static readonly string[] PlatformAdmin = [.. All.Except(RuntimeOnly)];

    public static IReadOnlyList<string> ForRole(UserRole role) => role switch
    {
        UserRole.PlatformAdmin => PlatformAdmin,
        UserRole.TenantAdmin => TenantAdmin,
        _ => TenantMember,
    };

    public static IReadOnlyList<string> ForScopes(IEnumerable<string> scopes) =>
        [.. scopes.Where(s => ApiKeyScopes.Contains(s, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal)];
}
