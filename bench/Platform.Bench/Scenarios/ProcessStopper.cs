using System.Diagnostics;

namespace Platform.Bench.Scenarios;

internal static class ProcessStopper
{
    /// <summary>
    /// Ends a process this run started (by its id) so that its CPU and connections are gone before the next
    /// step; the environment's own disposal later finds it exited and only releases it.
    /// </summary>
    public static void Stop(ReleaseProcess process)
    {
        try
        {
            using var running = Process.GetProcessById(process.ProcessId);
            running.Kill(entireProcessTree: true);
            running.WaitForExit(10_000);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
