using Platform.Data.Entities;

namespace Platform.Api.Audit;

/// <summary>
/// What the current request's audit row says. The endpoint's <see cref="AuditedAttribute"/> fills the
/// action and target type; a handler only adds what the route cannot tell (a new actor, a tenant, details).
/// </summary>
public sealed class AuditScope
{
    public AuditedAttribute? Endpoint { get; set; }

    public Guid? TargetId { get; set; }

    public Guid? TenantId { get; set; }

    /// <summary>Write the row with no tenant, for example when the tenant itself is deleted.</summary>
    public bool PlatformRow { get; set; }

    /// <summary>For anonymous requests that create their actor (sign-up, invite acceptance).</summary>
    public Guid? ActorUserId { get; set; }

    public AuditSeverity? Severity { get; set; }

    public Dictionary<string, object?> Details { get; } = [];

    public bool Written { get; set; }
}

/// <summary>Marks a mutation endpoint: its successful save writes exactly one audit row in the same transaction.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class AuditedAttribute(string action, AuditTargetType targetType, AuditSeverity severity = AuditSeverity.Info) : Attribute
{
    public string Action { get; } = action;

    public AuditTargetType TargetType { get; } = targetType;

    public AuditSeverity Severity { get; } = severity;
}

public static class AuditEndpointExtensions
{
    /// <summary><c>.Audited("team.invite_created", AuditTargetType.Team)</c> on a mutation endpoint.</summary>
    public static RouteHandlerBuilder Audited(
        this RouteHandlerBuilder builder, string action, AuditTargetType targetType, AuditSeverity severity = AuditSeverity.Info) =>
        builder.WithMetadata(new AuditedAttribute(action, targetType, severity));
}
