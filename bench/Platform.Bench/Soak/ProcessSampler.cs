using System.Diagnostics;
using System.Globalization;

namespace Platform.Bench.Soak;

/// <summary>One reading of a process: resident set (VmRSS) and CPU cores used since the previous reading; null RSS once it is gone.</summary>
internal sealed record ProcessSample(TimeSpan At, string Name, long? RssBytes, double Cores);

/// <summary>
/// Reads VmRSS and CPU time of the processes this run started (from /proc, by their ids) every
/// <c>interval</c>, plus how busy the whole machine was, and prints each round as one line.
/// </summary>
internal sealed class ProcessSampler(IReadOnlyList<(string Name, ReleaseProcess Process)> processes, Stopwatch clock, Func<string> progress)
{
    private readonly List<ProcessSample> _samples = [];
    private readonly Dictionary<string, double> _cpuSeconds = [];
    private (long Busy, long Total) _machine = MachineTicks();
    private TimeSpan _previous;

    public IReadOnlyList<ProcessSample> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    /// <summary>Samples now and then every interval until cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken stop)
    {
        var next = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            SampleNow();
            next += interval;
            var wait = next - clock.Elapsed;
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stop);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void SampleNow()
    {
        var at = clock.Elapsed;
        var seconds = Math.Max(0.001, (at - _previous).TotalSeconds);
        _previous = at;
        var line = new List<string>();
        foreach (var (name, process) in processes)
        {
            long? rss = null;
            var cpu = 0.0;
            try
            {
                rss = process.RssBytes;
                cpu = CpuSeconds(process.ProcessId);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // The process is gone: recorded as a null RSS, which fails the verdict.
            }

            var cores = _cpuSeconds.TryGetValue(name, out var before) ? (cpu - before) / seconds : 0;
            _cpuSeconds[name] = cpu;
            lock (_samples)
            {
                _samples.Add(new ProcessSample(at, name, rss, cores));
            }

            line.Add(rss is { } bytes ? string.Create(CultureInfo.InvariantCulture, $"{name} {bytes / 1048576.0:0} MiB {cores:0.00} cores") : $"{name} EXITED");
        }

        var machine = MachineTicks();
        var busy = machine.Total == _machine.Total ? 0 : 100.0 * (machine.Busy - _machine.Busy) / (machine.Total - _machine.Total);
        _machine = machine;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soak {at:mm\\:ss} | {string.Join(", ", line)} | machine {busy:0} % busy | {progress()}"));
    }

    /// <summary>User + system CPU seconds of one process (/proc/pid/stat fields 14 and 15).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0; // USER_HZ
    }

    /// <summary>The machine's busy and total jiffies from the first line of /proc/stat (idle and iowait count as not busy).</summary>
    private static (long Busy, long Total) MachineTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum();
        return (total - fields[3] - fields[4], total);
    }
}
