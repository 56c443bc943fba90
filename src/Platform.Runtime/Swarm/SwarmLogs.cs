using System.Runtime.CompilerServices;
using Docker.DotNet;
using Docker.DotNet.Models;
using Platform.Runtime.Docker;

namespace Platform.Runtime.Swarm;

/// <summary>
/// An agent's log lines through the manager's service logs (<c>docker service logs</c>), which gathers them from the
/// service's tasks on every node. A manager keeps a followed read open after the service is scaled to 0, and even
/// after it is removed, so the service is watched beside the read: once it is at 0 replicas (or gone) and its task
/// has ended, the read ends too. A cancelled read closes the manager's stream at once.
/// </summary>
internal sealed class SwarmLogs(SwarmManager manager)
{
    private const int BufferSize = 16 * 1024;
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);

    public async IAsyncEnumerable<LogLine> ReadAsync(string workloadId, LogQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var service = await manager.GetServiceAsync(workloadId, cancellationToken);
        var frames = new LogFrames(query);
        var parameters = new ServiceLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Timestamps = true,
            Follow = query.Follow,
            Tail = frames.Tail,
            Since = frames.Since,
        };

        using var stream = await manager.CallAsync(
            () => manager.Client.Swarm.GetServiceLogsAsync(service.ID, false, parameters, cancellationToken), cancellationToken);

        // Ended by the caller or by the agent stopping. A read blocked on the socket may not notice a token: closing
        // the stream ends it, and frees the manager's side.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var release = ending.Token.Register(stream.Dispose);
        var watch = query.Follow ? WatchUntilStoppedAsync(service.ID, ending) : Task.CompletedTask;
        try
        {
            var buffer = new byte[BufferSize];
            while (await ReadAsync(stream, buffer, ending.Token, cancellationToken) is { EOF: false } read)
            {
                foreach (var line in frames.Add(read, buffer))
                {
                    yield return line;
                }
            }

            foreach (var line in frames.Flush())
            {
                yield return line;
            }
        }
        finally
        {
            await ending.CancelAsync();
            await watch;
        }
    }

    /// <summary>The next frame; end of stream when <paramref name="ending"/> fired without the caller's token.</summary>
    private async Task<MultiplexedStream.ReadResult> ReadAsync(MultiplexedStream stream, byte[] buffer, CancellationToken ending, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadOutputAsync(buffer, 0, buffer.Length, ending);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception) when (ending.IsCancellationRequested)
        {
            return new MultiplexedStream.ReadResult(MultiplexedStream.TargetStream.StandardOut, 0);
        }
        catch (Exception ex) when (DockerClients.Translate(ex, manager.Endpoint, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// Ends the read once the service is at 0 replicas (or gone) and its task has ended, one interval later, so that
    /// the lines its task wrote on the way out still come through. Never throws: a manager that stops answering is
    /// the read's own error.
    /// </summary>
    private async Task WatchUntilStoppedAsync(string serviceId, CancellationTokenSource ending)
    {
        try
        {
            while (true)
            {
                await Task.Delay(WatchInterval, ending.Token);
                var service = await manager.FindServiceAsync(serviceId, ending.Token);
                if (service?.Spec?.Mode?.Replicated?.Replicas > 0)
                {
                    continue;
                }

                while (service is not null && !await TasksEndedAsync(serviceId, ending.Token))
                {
                    await Task.Delay(WatchInterval, ending.Token);
                }

                await Task.Delay(WatchInterval, ending.Token);
                await ending.CancelAsync();
                return;
            }
        }
        catch (Exception)
        {
            // The read ended, or the manager does not answer (which the read reports itself): nothing left to watch.
        }
    }

    private async Task<bool> TasksEndedAsync(string serviceId, CancellationToken cancellationToken)
    {
        try
        {
            return (await manager.TasksAsync(serviceId, cancellationToken)).All(SwarmTaskStates.Ended);
        }
        catch (RuntimeOperationException ex) when (ex.Kind == RuntimeErrorKind.NotFound)
        {
            return true; // removed meanwhile
        }
    }
}
