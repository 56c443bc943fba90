using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Platform.Bench.Scenarios;

/// <summary>
/// wrk runs beyond <see cref="Tools.WrkAsync"/>: with a custom Lua request function, and repeated until a
/// request count is reached. Every load targets the loopback address of a process this run started, and is
/// bounded in time.
/// </summary>
internal static class WrkLoad
{
    /// <summary>
    /// wrk (2 threads) for a fixed duration with a custom Lua prologue (method, headers, body, a
    /// <c>request</c> function); the RESULT line is the same as <see cref="Tools.WrkAsync"/>'s.
    /// </summary>
    public static async Task<LoadResult> ScriptAsync(Uri url, int connections, TimeSpan duration, string lua)
    {
        if (!url.IsLoopback)
        {
            throw new InvalidOperationException($"Load goes to loopback only, not {url}");
        }

        var script = new StringBuilder(lua);
        script.AppendLine("""
            done = function(summary, latency, requests)
              io.write(string.format("RESULT %d %d %.3f %.3f %d\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
                latency:percentile(99) / 1000, latency.mean / 1000, summary.duration))
            end
            """);
        var path = Path.Combine(Path.GetTempPath(), $"wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(path, script.ToString());
        try
        {
            var output = await Tools.RunAsync("wrk", ["-t", Math.Min(2, connections).ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                "-d", $"{(int)duration.TotalSeconds}s", "-s", path, url.ToString()]);
            var fields = output.Split('\n').First(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ');
            var requests = long.Parse(fields[1], CultureInfo.InvariantCulture);
            var micros = double.Parse(fields[5], CultureInfo.InvariantCulture);
            return new LoadResult(requests / (micros / 1_000_000), double.Parse(fields[3], CultureInfo.InvariantCulture),
                double.Parse(fields[4], CultureInfo.InvariantCulture), requests, long.Parse(fields[2], CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Runs wrk until <paramref name="target"/> requests were answered, within <paramref name="limit"/>:
    /// a 1 s round gives the rate, then rounds of at most <paramref name="maxRound"/>, and the last
    /// round stops each wrk thread at its share of the remaining count (a Lua <c>response</c> counter),
    /// so the total lands on the target. <paramref name="afterRound"/> sees the running count.
    /// </summary>
    public static async Task<(long Requests, long Errors, double RequestsPerSecond)> UntilCountAsync(
        Uri url, int connections, long target, TimeSpan limit, TimeSpan maxRound, IDictionary<string, string>? headers = null, Action<long>? afterRound = null)
    {
        var threads = Math.Min(2, connections);
        var watch = Stopwatch.StartNew();
        long requests = 0, errors = 0, timed = 0;
        double seconds = 0;
        while (requests < target && watch.Elapsed < limit)
        {
            var rate = seconds == 0 ? 0 : timed / seconds;
            var left = Math.Max(1, Math.Floor((limit - watch.Elapsed).TotalSeconds));
            var remaining = target - requests;
            LoadResult result;
            if (rate > 0 && remaining / rate <= maxRound.TotalSeconds)
            {
                // The last round: wrk runs for its whole duration, but its threads stop at the count.
                var round = Math.Clamp(Math.Ceiling(remaining / rate * 1.15) + 1, 1, left);
                var lua = new StringBuilder();
                foreach (var (name, value) in headers ?? new Dictionary<string, string>())
                {
                    lua.AppendLine($"wrk.headers[\"{name}\"] = \"{value}\"");
                }

                lua.AppendLine($"local answered, share = 0, {(remaining + threads - 1) / threads}");
                lua.AppendLine("response = function(status, headers, body) answered = answered + 1; if answered >= share then wrk.thread:stop() end end");
                result = await ScriptAsync(url, connections, TimeSpan.FromSeconds(round), lua.ToString());
            }
            else
            {
                var round = rate == 0 ? 1 : Math.Clamp(Math.Floor(remaining / rate), 1, Math.Min(maxRound.TotalSeconds, left));
                result = await Tools.WrkAsync(url, connections, TimeSpan.FromSeconds(round), headers);
                timed += result.Requests;
                seconds += result.RequestsPerSecond > 0 ? result.Requests / result.RequestsPerSecond : round;
            }

            requests += result.Requests;
            errors += result.Errors;
            afterRound?.Invoke(requests);
        }

        return (requests, errors, seconds == 0 ? 0 : timed / seconds);
    }
}
