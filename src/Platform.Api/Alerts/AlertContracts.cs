using Platform.Api.Http;
using Platform.Data.Entities;

namespace Platform.Api.Alerts;

public enum AlertState
{
    Open,
    Acknowledged,
    Resolved,
}

public sealed class AlertListQuery
{
    public QueryEnum<AlertSeverity>? Severity { get; init; }

    public QueryEnum<AlertState>? State { get; init; }
}
