using System.Diagnostics;
using System.Globalization;

namespace Platform.Bench;

/// <summary>What /proc says about processes and the machine: CPU time, resident memory, the PostgreSQL postmaster.</summary>
public static class ProcStat
{
    /// <summary>CPU seconds (user + system) a process has used; with its children's (live and reaped) when asked.</summary>
    public static double CpuSeconds(int pid, bool withChildren = false)
    {
        var total = Ticks(pid, reaped: withChildren);
        foreach (var child in withChildren ? ChildrenOf(pid) : [])
        {
            total += Ticks(child, reaped: true);
        }

        return total / 100.0; // USER_HZ
    }

    /// <summary>Resident set size (VmRSS); throws when the process is gone.</summary>
    public static long RssBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The postgres process listening on <paramref name="port"/>, whose backends are its children; null if none.</summary>
    public static int? PostmasterPid(int port)
    {
        foreach (var pid in Pids())
        {
            try
            {
                var args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
                var at = Array.IndexOf(args, "-p");
                if (args[0].EndsWith("postgres", StringComparison.Ordinal) && at >= 0 && at + 1 < args.Length && args[at + 1] == port.ToString(CultureInfo.InvariantCulture))
                {
                    return pid;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return null;
    }

    /// <summary>The machine's busy and total jiffies (first line of /proc/stat; idle and iowait are not busy).</summary>
    public static (long Busy, long Total) MachineTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum();
        return (total - fields[3] - fields[4], total);
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static IEnumerable<int> Pids() =>
        Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0).Where(pid => pid > 0);

    private static IEnumerable<int> ChildrenOf(int pid) => Pids().Where(child => child != pid && StatFields(child) is { } f && f[1] == pid.ToString(CultureInfo.InvariantCulture));

    private static long Ticks(int pid, bool reaped)
    {
        // After "pid (comm) ": state=0, ppid=1, ..., utime=11, stime=12, cutime=13, cstime=14.
        if (StatFields(pid) is not { } f)
        {
            return 0;
        }

        var ticks = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
        return reaped ? ticks + long.Parse(f[13], CultureInfo.InvariantCulture) + long.Parse(f[14], CultureInfo.InvariantCulture) : ticks;
    }

    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>CPU used between Start and Stop: by one process (cores), by PostgreSQL (cores, postmaster and backends) and the machine (busy share).</summary>
public sealed class CpuWindow
{
    private readonly int? _pid;
    private readonly int? _postmaster;
    private readonly double _process;
    private readonly double _postgres;
    private readonly (long Busy, long Total) _machine = ProcStat.MachineTicks();
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    private CpuWindow(int? pid, int? postmaster)
    {
        (_pid, _postmaster) = (pid, postmaster);
        _process = pid is { } p ? ProcStat.CpuSeconds(p) : 0;
        _postgres = postmaster is { } pm ? ProcStat.CpuSeconds(pm, withChildren: true) : 0;
    }

    public static CpuWindow Start(int? pid, int? postmaster = null) => new(pid, postmaster);

    /// <summary>CPU seconds of the process and of PostgreSQL, their average cores, and the machine's busy share (0-1).</summary>
    public (double ProcessSeconds, double PostgresSeconds, double ProcessCores, double MachineBusy) Stop()
    {
        var seconds = _watch.Elapsed.TotalSeconds;
        var process = (_pid is { } p ? ProcStat.CpuSeconds(p) : 0) - _process;
        var postgres = (_postmaster is { } pm ? ProcStat.CpuSeconds(pm, withChildren: true) : 0) - _postgres;
        var machine = ProcStat.MachineTicks();
        var total = machine.Total - _machine.Total;
        return (process, postgres, process / seconds, total == 0 ? 0 : (machine.Busy - _machine.Busy) / (double)total);
    }
}
