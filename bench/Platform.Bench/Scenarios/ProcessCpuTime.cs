using System.Globalization;

namespace Platform.Bench.Scenarios;

/// <summary>CPU time of processes, read from /proc, and the PostgreSQL postmaster whose backends it is summed over.</summary>
internal static class ProcessCpuTime
{
    /// <summary>CPU seconds (user + system) a process has used; with its children's (live ones and those it has reaped) when asked.</summary>
    public static double CpuSeconds(int pid, bool withChildren = false)
    {
        var total = Ticks(pid, reaped: withChildren);
        if (withChildren)
        {
            foreach (var child in ChildrenOf(pid))
            {
                total += Ticks(child, reaped: true);
            }
        }

        return total / 100.0; // USER_HZ
    }

    /// <summary>The live processes whose parent is <paramref name="pid"/> (for a postmaster: its backends and helpers).</summary>
    public static IEnumerable<int> ChildrenOf(int pid)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var child) && child != pid && ParentOf(child) == pid)
            {
                yield return child;
            }
        }
    }

    /// <summary>The postmaster of the environment's PostgreSQL (the postgres process listening on its port), or null.</summary>
    public static int? PostmasterPid(BenchEnvironment environment)
    {
        var port = environment.Postgres.Port.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                var at = Array.IndexOf(args, "-p");
                if (args.Length > 0 && args[0].EndsWith("postgres", StringComparison.Ordinal) && at >= 0 && at + 1 < args.Length && args[at + 1] == port)
                {
                    return pid;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return null;
    }

    private static long Ticks(int pid, bool reaped)
    {
        var fields = StatFields(pid);
        if (fields is null)
        {
            return 0;
        }

        // After "pid (comm) ": state=0, ppid=1, ..., utime=11, stime=12, cutime=13, cstime=14.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return reaped ? ticks + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture) : ticks;
    }

    private static int ParentOf(int pid) => StatFields(pid) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : -1;

    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
