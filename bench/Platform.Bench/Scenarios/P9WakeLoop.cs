using System.Diagnostics;
using static Platform.Bench.Scenarios.Formatting;
using static Platform.Bench.Scenarios.Statistics;

namespace Platform.Bench.Scenarios;

/// <summary>
/// The two sides of one wake stage, on the same workload: <see cref="Sleep"/> puts it into the stage (untimed),
/// <see cref="MarkIdle"/> writes the agent's row idle in that stage as the owner (untimed, ours only), <see cref="Ours"/>
/// is the API's wake (true when it answered 200 with the agent active), <see cref="Reference"/> the bare runtime call,
/// and <see cref="Running"/> checks, after either side, that the workload runs.
/// </summary>
internal sealed record WakeSides(
    Func<CancellationToken, Task> Sleep,
    Func<CancellationToken, Task> MarkIdle,
    Func<CancellationToken, Task<bool>> Ours,
    Func<CancellationToken, Task> Reference,
    Func<CancellationToken, Task<bool>> Running);

internal sealed record WakeTimes(IReadOnlyList<double> Ours, IReadOnlyList<double> Reference, int Failures)
{
    public string Describe(double p) => $"{Ms(Percentile(Ours, p))} vs {Ms(Percentile(Reference, p))}";
}

internal static class P9WakeLoop
{
    private const int WarmUps = 3;

    /// <summary>Wakes by each side, alternating which goes first; the first <see cref="WarmUps"/> of each are not counted.</summary>
    public static async Task<WakeTimes> MeasureAsync(string stage, WakeSides sides, int wakes, CancellationToken ct)
    {
        var ours = new List<double>();
        var reference = new List<double>();
        var failures = 0;

        async Task OursAsync(bool counted)
        {
            await sides.Sleep(ct);
            await sides.MarkIdle(ct);
            var watch = Stopwatch.StartNew();
            var answered = await sides.Ours(ct);
            watch.Stop();
            var running = await sides.Running(ct);
            failures += counted && !(answered && running) ? 1 : 0;
            if (counted)
            {
                ours.Add(watch.Elapsed.TotalMilliseconds);
            }

            if (!(answered && running))
            {
                Console.WriteLine($"P9 {stage}: the API's wake {(answered ? "answered active but the workload does not run" : "did not answer 200 with the agent active")}");
            }
        }

        async Task ReferenceAsync(bool counted)
        {
            await sides.Sleep(ct);
            var watch = Stopwatch.StartNew();
            await sides.Reference(ct);
            watch.Stop();
            failures += counted && !await sides.Running(ct) ? 1 : 0;
            if (counted)
            {
                reference.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        for (var i = 0; i < WarmUps + wakes; i++)
        {
            var counted = i >= WarmUps;
            if (i % 2 == 0)
            {
                await OursAsync(counted);
                await ReferenceAsync(counted);
            }
            else
            {
                await ReferenceAsync(counted);
                await OursAsync(counted);
            }
        }

        var times = new WakeTimes(ours, reference, failures);
        Console.WriteLine($"P9 {stage}: {wakes} wakes each, ours vs bare: p50 {times.Describe(0.5)}, p99 {times.Describe(0.99)}, {failures} failed; " +
            $"ours {string.Join(" ", ours.Select(v => F(v, "0")))}; bare {string.Join(" ", reference.Select(v => F(v, "0")))}");
        return times;
    }
}
