using System.ComponentModel.DataAnnotations;
using Platform.Runtime;

namespace Platform.Api.Agents;

public sealed record AgentLogLine(DateTimeOffset Timestamp, LogStream Stream, string Line)
{
    public static AgentLogLine From(LogLine line) => new(line.Timestamp, line.Stream, line.Line);
}

public sealed record AgentLogsResponse(IReadOnlyList<AgentLogLine> Items);

public sealed class AgentLogsQuery
{
    /// <summary>The last lines to return, 1–5,000 (default 200).</summary>
    [Range(1, LogQuery.MaxTail)]
    public int? Tail { get; init; }

    /// <summary>Only lines written at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Keep the response open as Server-Sent Events of new lines until the agent's container stops.</summary>
    public bool? Follow { get; init; }
}
