using System.Diagnostics;
using System.Globalization;

namespace Platform.Bench.Scenarios;

/// <summary>Samples this process's resident set size (VmRSS from /proc/self/status) in the background.</summary>
internal sealed class ResidentSetSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(double Seconds, long Bytes)> _samples = [];
    private readonly Task _loop;

    public ResidentSetSampler(TimeSpan interval)
    {
        var watch = Stopwatch.StartNew();
        _samples.Add((0, Current()));
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var rss = Current();
                lock (_samples)
                {
                    _samples.Add((watch.Elapsed.TotalSeconds, rss));
                }

                try
                {
                    await Task.Delay(interval, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    /// <summary>Stops sampling; returns every (seconds since start, bytes) sample.</summary>
    public async Task<IReadOnlyList<(double Seconds, long Bytes)>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        lock (_samples)
        {
            _samples.Add((_samples[^1].Seconds, Current()));
            return [.. _samples];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private static long Current()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
