using System.Globalization;
using Docker.DotNet;

namespace Platform.Runtime.Docker;

/// <summary>
/// A Docker log read, for a container or a service alike: the query as the logs API takes it, and the multiplexed
/// frames it answers turned into complete lines of stdout and stderr.
/// </summary>
internal sealed class LogFrames(LogQuery query)
{
    private readonly LogLineSplitter _stdout = new(LogStream.Stdout);
    private readonly LogLineSplitter _stderr = new(LogStream.Stderr);

    /// <summary>The logs API's <c>tail</c>: how many of the last lines.</summary>
    public string Tail { get; } = Math.Clamp(query.Tail, 0, LogQuery.MaxTail).ToString(CultureInfo.InvariantCulture);

    /// <summary>The logs API's <c>since</c>, or null for no lower bound.</summary>
    public string? Since { get; } = query.Since is { } since ? LogTimestamps.UnixSeconds(since) : null;

    /// <summary>The lines a frame completes (a frame may hold part of a line, or several).</summary>
    public List<LogLine> Add(MultiplexedStream.ReadResult frame, byte[] buffer) =>
        (frame.Target == MultiplexedStream.TargetStream.StandardError ? _stderr : _stdout).Add(buffer.AsSpan(0, frame.Count));

    /// <summary>Each stream's unfinished last line, once the read has ended.</summary>
    public IEnumerable<LogLine> Flush() => _stdout.Flush().Concat(_stderr.Flush());
}
