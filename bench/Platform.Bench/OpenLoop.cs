namespace Platform.Bench;

/// <summary>How a scheduled request ended.</summary>
public enum Outcome
{
    Success,
    ServerError,

    /// <summary>Any other status (4xx, or 1xx/3xx).</summary>
    OtherStatus,
    Timeout,
    ConnectionError,

    /// <summary>Not sent: too many requests were still in flight (the client's own overload guard).</summary>
    NotSent,
}

/// <summary>A request ready to send, its kind (a row of the report) and what to do with a 2xx answer.</summary>
public sealed record PlannedRequest(string Kind, HttpRequestMessage Message, Func<HttpResponseMessage, Task>? OnSuccess = null);

/// <summary>Latencies (ms, from the scheduled send time to the answer's last byte) and outcomes per request kind.</summary>
public sealed class LatencyRecorder
{
    private readonly ConcurrentDictionary<string, (long[] Outcomes, List<double> Latencies)> _kinds = new();

    public void Record(string kind, Outcome outcome, double? latencyMs)
    {
        var bucket = _kinds.GetOrAdd(kind, _ => (new long[Enum.GetValues<Outcome>().Length], new List<double>()));
        lock (bucket.Latencies)
        {
            bucket.Outcomes[(int)outcome]++;
            if (latencyMs is { } ms) bucket.Latencies.Add(ms);
        }
    }

    /// <summary>Counts of one outcome, over every kind or one.</summary>
    public long Count(Outcome outcome, string? kind = null) => Select(kind).Sum(b => { lock (b.Latencies) { return b.Outcomes[(int)outcome]; } });

    public long Total() => Enum.GetValues<Outcome>().Sum(o => Count(o));

    /// <summary>Sorted latencies of answered requests.</summary>
    public double[] Latencies() => [.. Select(null).SelectMany(b => { lock (b.Latencies) { return b.Latencies.ToArray(); } }).Order()];

    private IEnumerable<(long[] Outcomes, List<double> Latencies)> Select(string? kind) =>
        kind is null ? _kinds.Values.ToArray() : _kinds.TryGetValue(kind, out var one) ? [one] : [];
}

/// <summary>
/// Open-loop load: request i is due at i / rate seconds whatever happened to earlier ones, and its latency runs from that
/// due time, so a stalled server shows as latency instead of as a quietly lower rate (no coordinated omission). Only a
/// guard against an unbounded pile of requests in flight (rate × timeout) drops sends, counted as <see cref="Outcome.NotSent"/>.
/// </summary>
public sealed class OpenLoop(HttpClient http, Func<PlannedRequest> next, LatencyRecorder recorder, double rate, TimeSpan timeout)
{
    private readonly int _maxInFlight = (int)Math.Max(100, rate * timeout.TotalSeconds);
    private int _inFlight;
    private int _reported;

    /// <summary>The load's clock: started by <see cref="RunAsync"/>, the time base of every latency.</summary>
    public Stopwatch Clock { get; } = new();

    public long Scheduled { get; private set; }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Sends for <paramref name="duration"/> or until <paramref name="stop"/>, then waits for the answers (within the timeout).</summary>
    public async Task RunAsync(TimeSpan duration, CancellationToken stop = default)
    {
        Clock.Start();
        var total = (long)Math.Round(duration.TotalSeconds * rate);
        while (Scheduled < total && !stop.IsCancellationRequested)
        {
            var due = TimeSpan.FromSeconds(Scheduled / rate);
            if (due - Clock.Elapsed is { Ticks: > 0 } wait)
            {
                // Late wake-ups are caught up by sending every request that is due, each timed from its own due time.
                await Task.WhenAny(Task.Delay(wait, stop));
                continue;
            }

            Scheduled++;
            var planned = next();
            if (Volatile.Read(ref _inFlight) >= _maxInFlight)
            {
                recorder.Record(planned.Kind, Outcome.NotSent, null);
                planned.Message.Dispose();
                continue;
            }

            Interlocked.Increment(ref _inFlight);
            _ = SendAsync(planned, due);
        }

        var drain = Stopwatch.StartNew();
        while (InFlight > 0 && drain.Elapsed < timeout + TimeSpan.FromSeconds(5)) await Task.Delay(50, CancellationToken.None);
    }

    private async Task SendAsync(PlannedRequest planned, TimeSpan due)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            using var message = planned.Message;
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, deadline.Token);
            var status = (int)response.StatusCode;
            var outcome = status switch { >= 200 and < 300 => Outcome.Success, >= 500 => Outcome.ServerError, _ => Outcome.OtherStatus };
            recorder.Record(planned.Kind, outcome, (Clock.Elapsed - due).TotalMilliseconds);
            if (outcome == Outcome.Success && planned.OnSuccess is { } onSuccess) await onSuccess(response);
            else if (outcome != Outcome.Success)
            {
                var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
                Report(planned.Kind, $"{status} {(text.Length > 300 ? text[..300] + " …" : text)}");
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            recorder.Record(planned.Kind, Outcome.Timeout, null);
            Report(planned.Kind, $"no answer within {timeout.TotalSeconds:0} s");
        }
        catch (Exception ex)
        {
            // A broken connection, or a bug of the client itself: counted, never lost in an unobserved task.
            recorder.Record(planned.Kind, Outcome.ConnectionError, null);
            Report(planned.Kind, $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>The first 20 failures are printed as they happen; the counts of all are in the recorder.</summary>
    private void Report(string kind, string what)
    {
        if (Interlocked.Increment(ref _reported) <= 20)
        {
            Console.Error.WriteLine($"{Clock.Elapsed:mm\\:ss} {kind}: {what}");
        }
    }
}
