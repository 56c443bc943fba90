namespace Platform.Data.Tenancy;

/// <summary>
/// Who the current unit of work acts for. One instance per request or job scope; the
/// <see cref="TenantContextInterceptor"/> turns it into the PostgreSQL settings that the
/// row-level-security policies read, so handlers never write those settings themselves.
/// </summary>
public sealed class TenantContext
{
    /// <summary>The tenant whose rows are visible, or null.</summary>
    public Guid? TenantId { get; private set; }

    /// <summary>True for platform admins and system jobs: the policies let every row through.</summary>
    public bool IsPlatformAdmin { get; private set; }

    public bool HasScope => TenantId is not null || IsPlatformAdmin;

    public void UseTenant(Guid tenantId)
    {
        if (tenantId == Guid.Empty)
        {
            throw new ArgumentException("A tenant scope needs a tenant id.", nameof(tenantId));
        }

        TenantId = tenantId;
        IsPlatformAdmin = false;
    }

    /// <summary>Platform-wide scope: platform admins, background jobs, and anonymous auth look-ups.</summary>
    public void UsePlatformScope(Guid? tenantId = null)
    {
        TenantId = tenantId;
        IsPlatformAdmin = true;
    }

    public static TenantContext ForTenant(Guid tenantId)
    {
        var context = new TenantContext();
        context.UseTenant(tenantId);
        return context;
    }

    public static TenantContext ForPlatform()
    {
        var context = new TenantContext();
        context.UsePlatformScope();
        return context;
    }

    public void Clear()
    {
        TenantId = null;
        IsPlatformAdmin = false;
    }
}
