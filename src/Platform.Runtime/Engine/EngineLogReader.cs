using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Platform.Runtime.Engine;

/// <summary>
/// A container's log through the engine's logs API (with timestamps), cut into lines per stream. The engine's stream is
/// disposed the moment the caller cancels (or stops enumerating): a pending read on it does not always notice a
/// cancellation token, and every abandoned follower would keep a reader open in dockerd.
/// </summary>
internal static class EngineLogReader
{
    private const int BufferSize = 16 * 1024;

    public static async IAsyncEnumerable<LogLine> ReadAsync(
        EngineConnection engine, string workloadId, LogQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var container = await engine.InspectOwnAsync(workloadId, cancellationToken);
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Timestamps = true,
            Follow = query.Follow,
            Tail = Math.Clamp(query.Tail, 0, LogQuery.MaxTail).ToString(CultureInfo.InvariantCulture),
            Since = query.Since is { } since ? UnixSeconds(since) : null,
        };

        // The request is bounded like any other; the stream it opens is bounded only by the caller.
        using var stream = await engine.CallAsync((client, token) => client.Containers.GetContainerLogsAsync(container.ID, parameters, token), cancellationToken);
        using var release = cancellationToken.Register(static s => ((MultiplexedStream)s!).Dispose(), stream);
        var stdout = new LineSplitter(LogStream.Stdout);
        var stderr = new LineSplitter(LogStream.Stderr);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var read = await ReadAsync(engine, stream, buffer, cancellationToken);
                if (read.EOF)
                {
                    // A stream closed under a cancelled read may look like its end: it is the cancellation.
                    cancellationToken.ThrowIfCancellationRequested();
                    break;
                }

                var splitter = read.Target == MultiplexedStream.TargetStream.StandardError ? stderr : stdout;
                foreach (var line in splitter.Add(buffer.AsSpan(0, read.Count)))
                {
                    yield return line;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        foreach (var line in stdout.Flush().Concat(stderr.Flush()))
        {
            yield return line;
        }
    }

    private static async Task<MultiplexedStream.ReadResult> ReadAsync(
        EngineConnection engine, MultiplexedStream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The stream was disposed under the read: that is the cancellation, not a failure.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception ex)
        {
            throw engine.Translate(ex, cancellationToken);
        }
    }

    /// <summary>The engine's <c>since</c>: seconds since the epoch with nanoseconds.</summary>
    private static string UnixSeconds(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{rest * 100:D9}");
    }

    /// <summary>Bytes of one stream in, complete lines (<c>TIMESTAMP text</c>) out; a partial line waits for its end.</summary>
    private sealed class LineSplitter(LogStream stream)
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
            return space > 0 && TryParseTimestamp(text.AsSpan(0, space), out var timestamp)
                ? new LogLine(timestamp, stream, text[(space + 1)..])
                : new LogLine(DateTimeOffset.UnixEpoch, stream, text);
        }
    }

    /// <summary>RFC 3339 with up to nine fractional digits (the engine's), to the tick (seven).</summary>
    internal static bool TryParseTimestamp(ReadOnlySpan<char> text, out DateTimeOffset timestamp)
    {
        var value = text.ToString();
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && value.IndexOfAny(['Z', '+', '-'], dot) is var zone and > 0 && zone - dot > 8)
        {
            value = string.Concat(value.AsSpan(0, dot + 8), value.AsSpan(zone));
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out timestamp);
    }
}
