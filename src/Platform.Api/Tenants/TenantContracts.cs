using System.ComponentModel.DataAnnotations;
using Platform.Api.Http;
using Platform.Data.Entities;

namespace Platform.Api.Tenants;

public sealed record TenantResponse(
    Guid Id, string CompanyName, string AdminEmail, TenantStatus Status, TenantPlan Plan, int AgentCount,
    ModelDefaults ModelDefaults, ResourceLimits ResourceLimits, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record CreateTenantRequest(
    [property: Required, StringLength(200, MinimumLength = 1)] string CompanyName,
    [property: Required, EmailAddress, StringLength(320)] string AdminEmail,
    TenantPlan Plan = TenantPlan.Starter);

public sealed record InviteIssued(Guid Id, string Email, UserRole Role, DateTimeOffset ExpiresAt, string Token);

public sealed record TenantCreatedResponse(TenantResponse Tenant, InviteIssued AdminInvite);

/// <summary>
/// Partial update. Platform admins may change every field; tenant admins only <c>companyName</c> and
/// <c>modelDefaults</c>. Fields not listed here are refused as unknown.
/// </summary>
public sealed record UpdateTenantRequest(
    [property: StringLength(200, MinimumLength = 1)] string? CompanyName = null,
    ModelDefaults? ModelDefaults = null,
    TenantPlan? Plan = null,
    TenantStatus? Status = null,
    ResourceLimits? ResourceLimits = null);

public sealed class TenantListQuery
{
    public QueryEnum<TenantStatus>? Status { get; init; }

    public QueryEnum<TenantPlan>? Plan { get; init; }

    [StringLength(200)]
    public string? Q { get; init; }
}
