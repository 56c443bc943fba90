namespace Platform.Bench;

/// <summary>What /proc says about a process and the machine: CPU time, resident memory, load.</summary>
public static class ProcStat
{
    /// <summary>CPU seconds (user + system) a process has used; 0 when it is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            // After "pid (comm) ": state=0, ppid=1, ..., utime=11, stime=12.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / 100.0; // USER_HZ
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    public static long RssBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    public static int OpenFiles(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
