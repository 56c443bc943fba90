using System.ComponentModel.DataAnnotations;
using Platform.Api.Http;
using Platform.Data.Entities;

namespace Platform.Api.AuditLogs;

public sealed class AuditLogQuery
{
    public QueryEnum<AuditActorType>? ActorType { get; init; }

    public QueryEnum<AuditTargetType>? TargetType { get; init; }

    public Guid? TargetId { get; init; }

    [StringLength(100)]
    public string? Action { get; init; }

    public QueryEnum<AuditSeverity>? Severity { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public IQueryable<AuditLog> Apply(IQueryable<AuditLog> logs)
    {
        if (ActorType is { } actorType)
        {
            logs = logs.Where(l => l.ActorType == actorType.Value);
        }

        if (TargetType is { } targetType)
        {
            logs = logs.Where(l => l.TargetType == targetType.Value);
        }

        if (TargetId is { } targetId)
        {
            logs = logs.Where(l => l.TargetId == targetId);
        }

        if (!string.IsNullOrWhiteSpace(Action))
        {
            logs = logs.Where(l => l.Action == Action);
        }

        if (Severity is { } severity)
        {
            logs = logs.Where(l => l.Severity == severity.Value);
        }

        if (From is { } from)
        {
            var f = from.ToUniversalTime();
            logs = logs.Where(l => l.CreatedAt >= f);
        }

        if (To is { } to)
        {
            var t = to.ToUniversalTime();
            logs = logs.Where(l => l.CreatedAt < t);
        }

        return logs;
    }
}
