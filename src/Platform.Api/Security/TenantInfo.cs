using Platform.Data.Entities;

namespace Platform.Api.Security;

/// <summary>What every request needs to know about its tenant, without a query per request.</summary>
public sealed record TenantInfo(Guid Id, TenantStatus Status, TenantPlan Plan, ResourceLimits Limits)
{
    public int RequestsPerMinute => Limits.RequestsPerMinute ?? Plan switch
    {
        TenantPlan.Starter => 60,
        TenantPlan.Growth => 600,
        _ => 6000,
    };

    /// <summary>Null means unlimited.</summary>
    public int? MaxAgents => Limits.MaxAgents ?? Plan switch
    {
        TenantPlan.Starter => 3,
        TenantPlan.Growth => 25,
        _ => null,
    };
}
