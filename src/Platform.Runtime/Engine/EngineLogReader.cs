using System.Buffers;
using System.Runtime.CompilerServices;
using Docker.DotNet;
using Docker.DotNet.Models;
using Platform.Runtime.Docker;

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
        var frames = new LogFrames(query);
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Timestamps = true,
            Follow = query.Follow,
            Tail = frames.Tail,
            Since = frames.Since,
        };

        // The request is bounded like any other; the stream it opens is bounded only by the caller.
        using var stream = await engine.CallAsync((client, token) => client.Containers.GetContainerLogsAsync(container.ID, parameters, token), cancellationToken);
        using var release = cancellationToken.Register(static s => ((MultiplexedStream)s!).Dispose(), stream);
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

                foreach (var line in frames.Add(read, buffer))
                {
                    yield return line;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        foreach (var line in frames.Flush())
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
}
