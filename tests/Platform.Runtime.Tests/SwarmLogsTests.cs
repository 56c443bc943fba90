using System.Diagnostics;
using System.Globalization;

namespace Platform.Runtime.Tests;

/// <summary>An agent's log lines through the manager's service logs: tail, since, follow, and a follow that is cancelled.</summary>
public sealed class SwarmLogsTests(SwarmFixture swarm)
{
    [Fact(Timeout = 120_000)]
    public async Task Tail_returns_the_last_lines_with_their_stream_and_timestamp()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        using var runtime = swarm.Runtime(scope);
        try
        {
            var started = DateTimeOffset.UtcNow.AddSeconds(-5);
            var id = await runtime.CreateAsync(SwarmFixture.Spec(Guid.NewGuid(), "logger"), ct);
            List<LogLine> lines = [];
            await SwarmFixture.WaitForAsync(async () =>
            {
                lines = await ReadAsync(runtime, id, new LogQuery(LogQuery.MaxTail, null, false), ct);
                return lines.Any(l => l.Line == "tick 3");
            }, "three ticks", ct);

            Assert.Contains(new LogLine(lines.Single(l => l.Line == "hello logger").Timestamp, LogStream.Stdout, "hello logger"), lines);
            Assert.Equal(LogStream.Stderr, lines.Single(l => l.Line == "oops logger").Stream);
            Assert.All(lines, l => Assert.InRange(l.Timestamp, started, DateTimeOffset.UtcNow.AddSeconds(5)));
            var ticks = lines.Where(l => l.Line.StartsWith("tick ", StringComparison.Ordinal)).ToList();
            Assert.Equal(ticks.OrderBy(l => l.Timestamp).Select(l => l.Line), ticks.Select(l => l.Line));

            var lastTwo = await ReadAsync(runtime, id, new LogQuery(2, null, false), ct);
            Assert.Equal(2, lastTwo.Count);
            Assert.All(lastTwo, l => Assert.StartsWith("tick ", l.Line, StringComparison.Ordinal));

            var since = ticks[^1].Timestamp;
            var newer = await ReadAsync(runtime, id, new LogQuery(LogQuery.MaxTail, since, false), ct);
            Assert.DoesNotContain(newer, l => l.Line == "hello logger");
            Assert.All(newer, l => Assert.True(l.Timestamp >= since.AddSeconds(-1), $"{l.Timestamp:O} is before {since:O}"));
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Follow_brings_new_lines_until_the_agent_is_stopped()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        using var runtime = swarm.Runtime(scope);
        try
        {
            var id = await runtime.CreateAsync(SwarmFixture.Spec(Guid.NewGuid(), "follower"), ct);
            await using var lines = runtime.ReadLogsAsync(id, new LogQuery(1, null, true), ct).GetAsyncEnumerator(ct);

            // Two ticks one after the other: the second was written after the read began.
            var ticks = new List<int>();
            while (ticks.Count < 2)
            {
                Assert.True(await lines.MoveNextAsync());
                if (lines.Current.Line.StartsWith("tick ", StringComparison.Ordinal))
                {
                    ticks.Add(int.Parse(lines.Current.Line[5..], CultureInfo.InvariantCulture));
                }
            }

            Assert.True(ticks[1] > ticks[0]);

            await runtime.StopAsync(id, ct);
            var ended = Task.Run(async () =>
            {
                while (await lines.MoveNextAsync())
                {
                }
            }, ct);
            await ended.WaitAsync(TimeSpan.FromSeconds(30), ct);
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_cancelled_follow_ends_at_once_while_it_waits_for_lines()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        using var runtime = swarm.Runtime(scope);
        try
        {
            // One tick an hour: after its first lines the read waits on the manager's stream.
            var id = await runtime.CreateAsync(SwarmFixture.Spec(Guid.NewGuid(), "quiet", tickSeconds: 3600), ct);
            using var reading = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await using var lines = runtime.ReadLogsAsync(id, new LogQuery(LogQuery.MaxTail, null, true), reading.Token).GetAsyncEnumerator(reading.Token);
            var seen = new List<string>();
            while (!seen.Contains("tick 1"))
            {
                Assert.True(await lines.MoveNextAsync());
                seen.Add(lines.Current.Line);
            }

            var next = lines.MoveNextAsync().AsTask();
            await Task.Delay(500, ct);
            Assert.False(next.IsCompleted);
            var watch = Stopwatch.StartNew();
            await reading.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(TimeSpan.FromSeconds(10), ct));
            Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Logs_of_a_service_that_is_not_there_are_not_found()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        using var runtime = swarm.Runtime(swarm.NewScope());
        var error = await Assert.ThrowsAsync<RuntimeOperationException>(() => ReadAsync(runtime, "nosuchservice", new LogQuery(10, null, false), ct));
        Assert.Equal(RuntimeErrorKind.NotFound, error.Kind);
    }

    private static async Task<List<LogLine>> ReadAsync(IAgentRuntime runtime, string id, LogQuery query, CancellationToken ct)
    {
        var lines = new List<LogLine>();
        await foreach (var line in runtime.ReadLogsAsync(id, query, ct))
        {
            lines.Add(line);
        }

        return lines;
    }
}
