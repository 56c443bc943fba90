using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Platform.Bench.Scenarios;

/// <summary>
/// Open-loop load: POSTs one JSON body at a fixed rate, each request on its own task whatever the earlier ones are
/// doing, until the window ends or <see cref="StopAsync"/>. A latency counts from the request's scheduled time, so a
/// stalled server shows as latency rather than as requests that were never sent (no coordinated omission).
/// </summary>
internal sealed class FixedRateLoad : IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private FixedRateLoad(Func<CancellationToken, Task<StoppableWrk.Result>> run) => Completion = run(_stop.Token);

    public Task<StoppableWrk.Result> Completion { get; }

    public static FixedRateLoad Start(HttpClient http, Uri url, string body, double perSecond, TimeSpan maxDuration) =>
        new(token => RunAsync(http, url, body, perSecond, maxDuration, token));

    public void Dispose() => _stop.Dispose();

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Completion;
    }

    private static async Task<StoppableWrk.Result> RunAsync(
        HttpClient http, Uri url, string body, double perSecond, TimeSpan maxDuration, CancellationToken stop)
    {
        await Task.Yield();
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var watch = Stopwatch.StartNew();
        var requests = new List<Task<double?>>();
        for (var next = TimeSpan.Zero; next < maxDuration && !stop.IsCancellationRequested; next += interval)
        {
            var wait = next - watch.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            requests.Add(SendAsync(http, url, body, watch, next));
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var results = await Task.WhenAll(requests);
        var latencies = results.OfType<double>().ToList();
        return new StoppableWrk.Result(seconds, results.Length, results.Length - latencies.Count, latencies);
    }

    private static async Task<double?> SendAsync(HttpClient http, Uri url, string body, Stopwatch watch, TimeSpan scheduled)
    {
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
            using var response = await http.PostAsync(url, content);
            return response.IsSuccessStatusCode ? (watch.Elapsed - scheduled).TotalMilliseconds : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
