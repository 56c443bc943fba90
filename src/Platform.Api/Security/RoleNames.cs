using Platform.Data.Entities;

namespace Platform.Api.Security;

/// <summary>Role names as the API writes them (the PostgreSQL enum labels).</summary>
public static class RoleNames
{
    public static string Of(UserRole role) => role switch
    {
        UserRole.PlatformAdmin => "platform_admin",
        UserRole.TenantAdmin => "tenant_admin",
        _ => "tenant_member",
    };

    public static UserRole? Parse(string? value) => value switch
    {
        "platform_admin" => UserRole.PlatformAdmin,
        "tenant_admin" => UserRole.TenantAdmin,
        "tenant_member" => UserRole.TenantMember,
        _ => null,
    };
}
