using System.Buffers;
using System.Text;

namespace Platform.Runtime.Docker;

/// <summary>
/// Bytes of one stream of a multiplexed log in, complete lines (<c>TIMESTAMP text</c>) out; a partial line waits for its
/// end (a frame may hold part of a line, or several).
/// </summary>
internal sealed class LogLineSplitter(LogStream stream)
{
    private readonly ArrayBufferWriter<byte> _pending = new();

    public List<LogLine> Add(ReadOnlySpan<byte> bytes)
    {
        var lines = new List<LogLine>();
        while (bytes.IndexOf((byte)'\n') is var end and >= 0)
        {
            _pending.Write(bytes[..end]);
            lines.Add(Parse(_pending.WrittenSpan));
            _pending.Clear();
            bytes = bytes[(end + 1)..];
        }

        _pending.Write(bytes);
        return lines;
    }

    public IEnumerable<LogLine> Flush()
    {
        if (_pending.WrittenCount == 0)
        {
            return [];
        }

        var line = Parse(_pending.WrittenSpan);
        _pending.Clear();
        return [line];
    }

    private LogLine Parse(ReadOnlySpan<byte> raw)
    {
        var text = Encoding.UTF8.GetString(raw).TrimEnd('\r');
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && LogTimestamps.TryParse(text.AsSpan(0, space), out var timestamp)
            ? new LogLine(timestamp, stream, text[(space + 1)..])
            : new LogLine(DateTimeOffset.UnixEpoch, stream, text);
    }
}
