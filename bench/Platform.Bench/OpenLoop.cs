namespace Platform.Bench;

/// <summary>How a request ended; <see cref="NotSent"/>: too many were still in flight (the client's own overload guard).</summary>
public enum Outcome { Success, ServerError, OtherStatus, Timeout, ConnectionError, NotSent }

/// <summary>A request ready to send, its kind (for messages) and what to do with a 2xx answer.</summary>
public sealed record PlannedRequest(string Kind, HttpRequestMessage Message, Func<HttpResponseMessage, Task>? OnSuccess = null);

public sealed class LatencyRecorder
{
    private readonly long[] _outcomes = new long[Enum.GetValues<Outcome>().Length];
    private readonly List<double> _latencies = [];

    public void Record(Outcome outcome, double? latencyMs)
    {
        lock (_latencies)
        {
            _outcomes[(int)outcome]++;
            if (latencyMs is { } ms) _latencies.Add(ms);
        }
    }

    public void Record(HttpResponseMessage response, double latencyMs) => Record(OutcomeOf(response), latencyMs);

    public static Outcome OutcomeOf(HttpResponseMessage response) =>
        (int)response.StatusCode switch { >= 200 and < 300 => Outcome.Success, >= 500 => Outcome.ServerError, _ => Outcome.OtherStatus };

    public long Count(Outcome outcome)
    {
        lock (_latencies) return _outcomes[(int)outcome];
    }

    public long Total() => Enum.GetValues<Outcome>().Sum(Count);
    public long Answered() => Count(Outcome.Success) + Count(Outcome.ServerError) + Count(Outcome.OtherStatus);

    /// <summary>Sorted latencies of answered requests, but for the first <paramref name="skip"/> recorded.</summary>
    public double[] Latencies(int skip = 0)
    {
        lock (_latencies) return [.. _latencies.Skip(skip).Order()];
    }
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
                recorder.Record(Outcome.NotSent, null);
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
            recorder.Record(response, (Clock.Elapsed - due).TotalMilliseconds);
            if (response.IsSuccessStatusCode && planned.OnSuccess is { } onSuccess) await onSuccess(response);
            else if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
                Report(planned.Kind, $"{(int)response.StatusCode} {(text.Length > 300 ? text[..300] + " …" : text)}");
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            recorder.Record(Outcome.Timeout, null);
            Report(planned.Kind, $"no answer within {timeout.TotalSeconds:0} s");
        }
        catch (Exception ex)
        {
            // A broken connection, or a bug of the client itself: counted, never lost in an unobserved task.
            recorder.Record(Outcome.ConnectionError, null);
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
        if (Interlocked.Increment(ref _reported) <= 20) Console.Error.WriteLine($"{Clock.Elapsed:mm\\:ss} {kind}: {what}");
    }
}
