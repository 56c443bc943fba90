using System.Diagnostics;

namespace Platform.Bench.Soak;

/// <summary>
/// Open-loop load: request i is due at start + i / rate whatever happened to earlier ones, and its latency
/// runs from that due time (not from when it could be sent), so a stalled server shows as latency instead
/// of as a quietly lower rate. Requests never wait for each other; only a guard against an unbounded pile
/// of in-flight requests (rate × timeout) drops sends, counted as <see cref="Outcome.NotSent"/>.
/// </summary>
/// <param name="clock">The soak's clock, started by the caller when the load begins.</param>
internal sealed class FixedRateLoad(HttpClient http, TrafficMix mix, LatencyRecorder recorder, double rate, TimeSpan timeout, Stopwatch clock)
{
    private readonly int _maxInFlight = (int)Math.Max(100, rate * timeout.TotalSeconds);
    private readonly Stopwatch _clock = clock;
    private int _inFlight;
    private int _unexpectedErrors;

    public long Scheduled { get; private set; }

    public int InFlight => Volatile.Read(ref _inFlight);

    public async Task RunAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var total = (long)Math.Round(duration.TotalSeconds * rate);
        while (Scheduled < total && !cancellationToken.IsCancellationRequested)
        {
            var due = TimeSpan.FromSeconds(Scheduled / rate);
            var wait = due - _clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                // Late wake-ups are caught up by sending every request that is due, each timed from its own due time.
                await Task.Delay(wait, cancellationToken);
                continue;
            }

            Scheduled++;
            var planned = mix.Next();
            if (Volatile.Read(ref _inFlight) >= _maxInFlight)
            {
                recorder.Record(planned.Kind, due, Outcome.NotSent, null);
                planned.Message.Dispose();
                continue;
            }

            Interlocked.Increment(ref _inFlight);
            _ = SendAsync(planned, due);
        }
    }

    /// <summary>Waits until the requests in flight are answered or time out (bounded by the request timeout).</summary>
    public async Task DrainAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (InFlight > 0 && deadline.Elapsed < timeout + TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50);
        }
    }

    private async Task SendAsync(PlannedRequest planned, TimeSpan due)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            using var message = planned.Message;
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, deadline.Token);
            var latency = (_clock.Elapsed - due).TotalMilliseconds;
            var status = (int)response.StatusCode;
            var outcome = status switch { >= 200 and < 300 => Outcome.Success, >= 500 => Outcome.ServerError, _ => Outcome.OtherStatus };
            recorder.Record(planned.Kind, due, outcome, latency, status);
            if (outcome == Outcome.Success && planned.OnSuccess is { } onSuccess)
            {
                await onSuccess(response);
            }
            else if (outcome != Outcome.Success)
            {
                Report(planned.Kind, $"{status} {Shorten(await response.Content.ReadAsStringAsync(CancellationToken.None))}");
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            recorder.Record(planned.Kind, due, Outcome.Timeout, null);
            Report(planned.Kind, $"no answer within {timeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            recorder.Record(planned.Kind, due, Outcome.ConnectionError, null);
            Report(planned.Kind, ex.Message);
        }
        catch (Exception ex)
        {
            // A bug of the client itself (e.g. an answer it cannot parse): counted, never lost in an unobserved task.
            recorder.Record(planned.Kind, due, Outcome.ConnectionError, null);
            Report(planned.Kind, $"client error {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>The first 20 failures are printed as they happen; the report has the counts of all.</summary>
    private void Report(string kind, string what)
    {
        if (Interlocked.Increment(ref _unexpectedErrors) <= 20)
        {
            Console.Error.WriteLine($"soak {_clock.Elapsed:mm\\:ss}: {kind}: {what}");
        }
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + " …" : text;
}
