using System.Diagnostics;
using System.Globalization;

namespace Platform.Bench.Scenarios;

/// <summary>CPU used by one process (in cores) and by the whole machine (busy share) between Start and Stop.</summary>
internal sealed class CpuUsageWindow
{
    private readonly int _pid;
    private readonly TimeSpan _processStart;
    private readonly (long Busy, long Total) _machineStart;
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    private CpuUsageWindow(int pid)
    {
        _pid = pid;
        _processStart = ProcessTime(pid);
        _machineStart = MachineTicks();
    }

    public static CpuUsageWindow Start(int pid) => new(pid);

    /// <summary>The machine's 1-minute load average, as /proc/loadavg has it.</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    public (double ProcessCores, double MachineBusy) Stop()
    {
        var seconds = _watch.Elapsed.TotalSeconds;
        var process = (ProcessTime(_pid) - _processStart).TotalSeconds;
        var machine = MachineTicks();
        var total = machine.Total - _machineStart.Total;
        return (process / seconds, total == 0 ? 0 : (machine.Busy - _machineStart.Busy) / (double)total);
    }

    private static TimeSpan ProcessTime(int pid)
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime;
    }

    /// <summary>From the first line of /proc/stat: busy = everything but idle and iowait.</summary>
    private static (long Busy, long Total) MachineTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum();
        return (total - fields[3] - fields[4], total);
    }
}
