using Platform.Data.Entities;
using Platform.Data.Security;

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

    /// <summary>Reading an agent's runtime document (its secrets in clear): only that agent's runtime key.</summary>
    public const string RuntimeRead = "runtime:read";

    public static readonly string[] All =
    [
        PlatformManage, TenantRead, TenantUpdate, AgentsRead, AgentsWrite, TeamRead, TeamManage, ApiKeysManage,
        SkillsInstall, SkillsRead, AlertsRead, AlertsManage, AuditRead, ActivitiesWrite, MetricsWrite, RuntimeRead,
    ];

    private static readonly string[] TenantMember =
        [TenantRead, AgentsRead, AgentsWrite, TeamRead, SkillsInstall, SkillsRead, AlertsRead];

    private static readonly string[] TenantAdmin =
        [.. TenantMember, TenantUpdate, TeamManage, ApiKeysManage, AlertsManage, AuditRead];

    /// <summary>What <c>POST /api-keys</c> may grant; each scope is the permission of the same name.</summary>
    public static readonly string[] ApiKeyScopes = [AgentsRead, AgentsWrite, ActivitiesWrite, MetricsWrite, SkillsRead];

    /// <summary>
    /// The scope <see cref="RuntimeKeys.Scope"/>, valid only on a key bound to an agent: it reads that agent's runtime document
    /// and reports its activity and metrics, nothing else.
    /// </summary>
    private static readonly string[] RuntimeKey = [RuntimeRead, ActivitiesWrite, MetricsWrite];

    /// <summary>
    /// Runtime data (activities, metrics) is what an agent reports about itself, and the runtime document holds its secrets:
    /// only API keys post or read them. No human role holds these permissions, a platform admin included.
    /// </summary>
    private static readonly string[] RuntimeOnly = [ActivitiesWrite, MetricsWrite, RuntimeRead];

    private static readonly string[] PlatformAdmin = [.. All.Except(RuntimeOnly)];

    public static IReadOnlyList<string> ForRole(UserRole role) => role switch
    {
        UserRole.PlatformAdmin => PlatformAdmin,
        UserRole.TenantAdmin => TenantAdmin,
        _ => TenantMember,
    };

    /// <summary>
    /// A key bound to an agent has the runtime key's permissions when it has the <c>runtime</c> scope, and none otherwise; an
    /// unbound key has its scopes that <c>POST /api-keys</c> may grant (<c>runtime</c> on it grants nothing).
    /// </summary>
    public static IReadOnlyList<string> ForApiKey(IEnumerable<string> scopes, Guid? agentId) => agentId is null
        ? [.. scopes.Where(s => ApiKeyScopes.Contains(s, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal)]
        : scopes.Contains(RuntimeKeys.Scope, StringComparer.Ordinal) ? RuntimeKey : [];
}
