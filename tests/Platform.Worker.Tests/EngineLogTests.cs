using System.Diagnostics;
using Docker.DotNet.Models;
using Platform.Runtime;

namespace Platform.Worker.Tests;

/// <summary>
/// A workload's log through the engine's logs API (on the TLS engine, as a remote one is reached): the last lines with
/// stdout and stderr apart and the engine's timestamps, since a time, and followed until the container stops or the
/// reader cancels, which must release the engine's stream at once.
/// </summary>
[Collection(TlsDockerCollection.Name)]
public sealed class EngineLogTests(TlsDockerEngineFixture engine)
{
    // Each line a tenth of a second after the previous one, so their order (and time) across the two streams is certain.
    private const string TenLines = "i=1; while [ $i -le 5 ]; do echo out$i; sleep 0.1; echo err$i >&2; sleep 0.1; i=$((i+1)); done; exec sleep 3600";
    private const string Ticker = "i=1; while true; do echo tick$i; i=$((i+1)); sleep 0.2; done";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_last_lines_come_with_their_stream_and_timestamp_oldest_first_and_since_a_time()
    {
        engine.Require();
        var scope = "logs-" + Guid.NewGuid().ToString("N")[..8];
        using var runtime = TlsDockerEngineFixture.Runtime(engine.Options(scope));
        var started = DateTimeOffset.UtcNow;
        var id = await RunAsync(scope, TenLines);
        await DockerEngineFixture.WaitAsync(
            async () => (await EngineRuntimeTlsTests.ReadAllAsync(runtime.ReadLogsAsync(id, new LogQuery(100, null, false), Ct))).Count == 10, "ten lines", Ct);

        var all = await EngineRuntimeTlsTests.ReadAllAsync(runtime.ReadLogsAsync(id, new LogQuery(100, null, false), Ct));
        Assert.Equal(["out1", "err1", "out2", "err2", "out3", "err3", "out4", "err4", "out5", "err5"], all.Select(l => l.Line));
        Assert.All(all, l => Assert.Equal(l.Line.StartsWith("out", StringComparison.Ordinal) ? LogStream.Stdout : LogStream.Stderr, l.Stream));
        Assert.All(all, l => Assert.InRange(l.Timestamp, started.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5)));
        Assert.Equal(all.Select(l => l.Timestamp).Order(), all.Select(l => l.Timestamp));
        Assert.True(all[^1].Timestamp - all[0].Timestamp >= TimeSpan.FromMilliseconds(800), "the engine's own timestamps, not the read's");

        var tail = await EngineRuntimeTlsTests.ReadAllAsync(runtime.ReadLogsAsync(id, new LogQuery(3, null, false), Ct));
        Assert.Equal(all[^3..], tail);

        var since = await EngineRuntimeTlsTests.ReadAllAsync(runtime.ReadLogsAsync(id, new LogQuery(100, all[6].Timestamp, false), Ct));
        Assert.Equal(all[6..], since);
    }

    [Fact]
    public async Task A_follow_gets_new_lines_and_ends_when_the_container_stops()
    {
        engine.Require();
        var scope = "logs-" + Guid.NewGuid().ToString("N")[..8];
        var options = engine.Options(scope);
        options.RequestTimeoutSeconds = 2; // a follow is bounded by its reader, not by the request timeout
        using var runtime = TlsDockerEngineFixture.Runtime(options);
        var id = await RunAsync(scope, Ticker);

        var seen = new List<LogLine>();
        var reading = Task.Run(async () =>
        {
            await foreach (var line in runtime.ReadLogsAsync(id, new LogQuery(1, null, true), Ct))
            {
                lock (seen)
                {
                    seen.Add(line);
                }
            }
        }, Ct);

        await DockerEngineFixture.WaitAsync(() => Task.FromResult(Count(seen) >= 16), "lines followed for longer than the request timeout", Ct);
        Assert.False(reading.IsCompleted);
        await runtime.StopAsync(id, Ct);
        await reading.WaitAsync(TimeSpan.FromSeconds(10), Ct); // the stream ends by itself

        List<int> ticks;
        lock (seen)
        {
            ticks = [.. seen.Select(l => int.Parse(l.Line["tick".Length..], System.Globalization.CultureInfo.InvariantCulture))];
        }

        Assert.Equal(Enumerable.Range(ticks[0], ticks.Count), ticks); // consecutive: nothing lost, nothing twice
        Assert.All(seen, l => Assert.Equal(LogStream.Stdout, l.Stream));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cancelled_or_abandoned_follow_releases_the_engines_stream_at_once(bool overTls)
    {
        engine.Require();
        var scope = "logs-" + Guid.NewGuid().ToString("N")[..8];
        var options = overTls ? engine.Options(scope) : new RuntimeOptions { Endpoint = engine.SocketEndpoint, Scope = scope };
        using var runtime = TlsDockerEngineFixture.Runtime(options);
        var id = await RunAsync(scope, Ticker);
        await runtime.DescribeAsync(Ct);

        // The engine's own sockets come and go (containerd, the container's log copier, the connections of the calls
        // just made): the baseline is the range a few looks see, not one look.
        var baseline = new List<int>();
        for (var look = 0; look < 5; look++)
        {
            baseline.Add(engine.EngineSockets());
            await Task.Delay(100, Ct);
        }

        var (before, settled) = (baseline.Min(), baseline.Max());

        // Followers left in each way a reader goes away: cancelled while a read waits on the engine, cancelled between
        // reads and never touched again, and abandoned (disposed without a cancellation).
        const int Rounds = 3;
        var cancelledWhileReading = new List<(Task<bool> Pending, IAsyncEnumerator<LogLine> Reader)>();
        var cancelledBetweenReads = new List<IAsyncEnumerator<LogLine>>();
        var sources = new List<CancellationTokenSource>();
        for (var i = 0; i < Rounds; i++)
        {
            foreach (var way in new[] { "reading", "between", "abandoned" })
            {
                var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                sources.Add(cancel);
                var reader = runtime.ReadLogsAsync(id, new LogQuery(1, null, true), cancel.Token).GetAsyncEnumerator(cancel.Token);
                Assert.True(await reader.MoveNextAsync()); // the stream is open and delivering
                switch (way)
                {
                    case "reading":
                        cancelledWhileReading.Add((reader.MoveNextAsync().AsTask(), reader));
                        break;
                    case "between":
                        cancelledBetweenReads.Add(reader);
                        break;
                    default:
                        await reader.DisposeAsync();
                        break;
                }
            }
        }

        var during = engine.EngineSockets();
        for (var look = 0; look < 20 && during < before + 2 * Rounds; look++)
        {
            await Task.Delay(100, Ct);
            during = Math.Max(during, engine.EngineSockets());
        }

        Assert.True(during >= before + 2 * Rounds, $"the engine holds {during} sockets with {2 * Rounds} followers open (before: {before}-{settled})");
        var watch = Stopwatch.StartNew();
        foreach (var cancel in sources)
        {
            await cancel.CancelAsync();
        }

        await DockerEngineFixture.WaitAsync(() => Task.FromResult(engine.EngineSockets() <= settled), $"the engine to hold at most {settled} sockets", Ct, 5);
        var released = watch.Elapsed;
        foreach (var (pending, reader) in cancelledWhileReading)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                for (var more = await pending; more; more = await reader.MoveNextAsync())
                {
                }
            });
            await reader.DisposeAsync();
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"the cancelled follows ended after {watch.Elapsed.TotalMilliseconds:0} ms");
        foreach (var reader in cancelledBetweenReads)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader.MoveNextAsync());
            await reader.DisposeAsync();
        }

        sources.ForEach(s => s.Dispose());
        Assert.Equal(RuntimeBackend.Engine, (await runtime.DescribeAsync(Ct)).Backend);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{(overTls ? "TLS" : "unix socket")}: engine sockets {before}-{settled} before, {during} with {2 * Rounds} followers, back to {engine.EngineSockets()} {released.TotalMilliseconds:0} ms after the cancellation");
    }

    [Fact]
    public async Task Logs_of_a_container_of_another_scope_are_not_found()
    {
        engine.Require();
        using var runtime = TlsDockerEngineFixture.Runtime(engine.Options("logs-" + Guid.NewGuid().ToString("N")[..8]));
        var foreign = await RunAsync("logs-foreign-" + Guid.NewGuid().ToString("N")[..8], TenLines);
        var error = await Assert.ThrowsAsync<RuntimeOperationException>(() => EngineRuntimeTlsTests.ReadAllAsync(runtime.ReadLogsAsync(foreign, new LogQuery(10, null, false), Ct)));
        Assert.Equal(RuntimeErrorKind.NotFound, error.Kind);
    }

    private static int Count(List<LogLine> lines)
    {
        lock (lines)
        {
            return lines.Count;
        }
    }

    /// <summary>A labelled container of the scope running <paramref name="script"/>, made behind the runtime's back.</summary>
    private async Task<string> RunAsync(string scope, string script)
    {
        var created = await engine.Admin.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = DockerEngineFixture.Image,
            Cmd = ["/bin/sh", "-c", script],
            Labels = new Dictionary<string, string>
            {
                [RuntimeLabels.AgentId] = Guid.NewGuid().ToString(),
                [RuntimeLabels.TenantId] = Guid.NewGuid().ToString(),
                [RuntimeLabels.Scope] = scope,
            },
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, Ct);
        await engine.Admin.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), Ct);
        return created.ID;
    }
}
