using System.Diagnostics;

namespace Platform.Bench.Scenarios;

/// <summary>
/// The system clock, except that it notes where the poller loop idles: the loop's only timer is its
/// <c>Task.Delay</c> between sweeps, so a timer created marks the end of a sweep and its callback the
/// start of the next. This process's CPU time is read at both ends of each such window.
/// </summary>
internal sealed class P6SweepClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<P6IdleWindow> _completed = [];
    private (long Ticks, TimeSpan Cpu)? _open;
    private int _started;

    /// <summary>Idle windows entered so far (sweeps finished).</summary>
    public int IdleWindowsStarted => Volatile.Read(ref _started);

    public static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    public IReadOnlyList<P6IdleWindow> CompletedWindows()
    {
        lock (_gate)
        {
            return [.. _completed];
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            _open = (Stopwatch.GetTimestamp(), CpuTime());
        }

        Interlocked.Increment(ref _started);
        return System.CreateTimer(
            s =>
            {
                var cpu = CpuTime();
                var now = Stopwatch.GetTimestamp();
                lock (_gate)
                {
                    if (_open is { } open)
                    {
                        _completed.Add(new P6IdleWindow(Stopwatch.GetElapsedTime(open.Ticks, now), cpu - open.Cpu));
                        _open = null;
                    }
                }

                callback(s);
            },
            state,
            dueTime,
            period);
    }
}

internal sealed record P6IdleWindow(TimeSpan Wall, TimeSpan Cpu);
