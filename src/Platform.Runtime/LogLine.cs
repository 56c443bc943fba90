namespace Platform.Runtime;

/// <summary>One line a workload wrote, with the runtime's own timestamp.</summary>
public sealed record LogLine(DateTimeOffset Timestamp, LogStream Stream, string Line);
