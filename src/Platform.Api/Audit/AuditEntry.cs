using Platform.Data.Entities;

namespace Platform.Api.Audit;

/// <summary>
/// What a handler says about its mutation in its audit row; <see cref="AuditTrail.Record"/> adds who did it, from where,
/// and what the saved changes are.
/// </summary>
/// <param name="TargetId">The resource acted on; null when there is none (a logout).</param>
public sealed record AuditEntry(string Action, AuditTargetType TargetType, Guid? TargetId, AuditSeverity Severity = AuditSeverity.Info)
{
    /// <summary>
    /// The tenant the row belongs to. Unset, it is the target itself for a tenant target, else the caller's tenant, else
    /// the tenant of the changed rows.
    /// </summary>
    public Guid? TenantId { get; init; }

    /// <summary>Write the row with no tenant, for example when the tenant itself is deleted.</summary>
    public bool PlatformRow { get; init; }

    /// <summary>The actor of an anonymous request that creates or signs in its user (sign-up, login, invite acceptance).</summary>
    public Guid? ActorUserId { get; init; }

    /// <summary>What the changes do not show; values under sensitive names are masked.</summary>
    public IReadOnlyDictionary<string, object?> Details { get; init; } = new Dictionary<string, object?>();
}
