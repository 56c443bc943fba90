using Platform.Api.Security;
using Platform.Data.Entities;

namespace Platform.Api.Tenants;

/// <summary>Who may change which tenant field, and the bounds of the resource limits.</summary>
internal static class TenantUpdateRules
{
    public static Dictionary<string, string[]> Validate(UpdateTenantRequest request, Actor actor)
    {
        var errors = new Dictionary<string, string[]>();
        if (request is { CompanyName: null, ModelDefaults: null, Plan: null, Status: null, ResourceLimits: null })
        {
            errors["body"] = ["Send at least one field to change."];
        }

        if (!actor.IsPlatformAdmin)
        {
            ReadOnly(errors, "plan", request.Plan);
            ReadOnly(errors, "status", request.Status);
            ReadOnly(errors, "resourceLimits", request.ResourceLimits);
        }

        if (request.CompanyName is { } name && string.IsNullOrWhiteSpace(name))
        {
            errors["companyName"] = ["Must not be blank."];
        }

        if (request.ResourceLimits is { } limits)
        {
            Range(errors, "resourceLimits.maxAgents", limits.MaxAgents, 0, 100_000);
            Range(errors, "resourceLimits.cpu", limits.Cpu, 0.1m, 64m);
            Range(errors, "resourceLimits.memoryMb", limits.MemoryMb, 64, 262_144);
            Range(errors, "resourceLimits.requestsPerMinute", limits.RequestsPerMinute, 1, 1_000_000);
            Range(errors, "resourceLimits.hibernateAfterMinutes", limits.HibernateAfterMinutes, 0, 43_200);
        }

        return errors;
    }

    public static void Apply(UpdateTenantRequest request, Tenant tenant)
    {
        tenant.CompanyName = request.CompanyName?.Trim() ?? tenant.CompanyName;
        tenant.ModelDefaults = request.ModelDefaults ?? tenant.ModelDefaults;
        tenant.Plan = request.Plan ?? tenant.Plan;
        tenant.Status = request.Status ?? tenant.Status;
        tenant.ResourceLimits = request.ResourceLimits ?? tenant.ResourceLimits;
        tenant.UpdatedAt = DateTimeOffset.UtcNow;
    }

    private static void ReadOnly(Dictionary<string, string[]> errors, string field, object? value)
    {
        if (value is not null)
        {
            errors[field] = ["Only platform admins can change this field."];
        }
    }

    private static void Range<T>(Dictionary<string, string[]> errors, string field, T? value, T min, T max) where T : struct, IComparable<T>
    {
        if (value is { } v && (v.CompareTo(min) < 0 || v.CompareTo(max) > 0))
        {
            errors[field] = [$"Must be between {min} and {max}."];
        }
    }
}
