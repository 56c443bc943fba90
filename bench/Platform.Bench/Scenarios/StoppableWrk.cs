using System.Diagnostics;
using System.Globalization;

namespace Platform.Bench.Scenarios;

/// <summary>
/// wrk POSTing one JSON body (2 threads, 30 s request timeout) for at most a given time, or until <see cref="StopAsync"/>
/// sends it SIGINT (it then stops and reports as usual). Returns every latency (its histogram), so rounds can be pooled.
/// </summary>
internal sealed class StoppableWrk
{
    private readonly Process _process;

    private StoppableWrk(Process process, Task<Result> completion)
    {
        _process = process;
        Completion = completion;
    }

    public Task<Result> Completion { get; }

    public sealed record Result(double Seconds, long Requests, long Errors, IReadOnlyList<double> LatenciesMs)
    {
        public double P99Ms => Statistics.Percentile(LatenciesMs, 0.99);

        public string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"{(Seconds > 0 ? Requests / Seconds : 0):0.0} req/s, p99 {P99Ms:0} ms, mean {(LatenciesMs.Count == 0 ? 0 : LatenciesMs.Average()):0} ms, {Requests} req in {Seconds:0.0} s, {Errors} err");
    }

    public static StoppableWrk Start(Uri url, string body, int connections, TimeSpan maxDuration)
    {
        var script = Path.Combine(Path.GetTempPath(), $"wrk-p4-{Guid.NewGuid():N}.lua");
        File.WriteAllText(script, $$"""
            wrk.method = "POST"
            wrk.body = [==[{{body}}]==]
            wrk.headers["Content-Type"] = "application/json"
            done = function(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("RESULT %d %d %d\n", summary.requests, e.status + e.connect + e.read + e.write + e.timeout, summary.duration))
              for i = 1, #latency do
                local value, count = latency(i)
                io.write(string.format("L %d %d\n", value, count))
              end
            end
            """);
        var start = new ProcessStartInfo("wrk") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "-t", Math.Min(2, connections).ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{(int)maxDuration.TotalSeconds}s", "--timeout", "30s", "-s", script, url.ToString(),
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        return new StoppableWrk(process, CollectAsync(process, script));
    }

    /// <summary>Ends the run now (SIGINT to this wrk process, by its id); <see cref="Completion"/> then has its figures.</summary>
    public async Task StopAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await Tools.RunAsync("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            }
        }
        catch (InvalidOperationException)
        {
            // It ended on its own (its time was up) and is disposed already.
        }
    }

    private static async Task<Result> CollectAsync(Process process, string script)
    {
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var output = await stdout;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {await stderr}{output}");
            }

            var lines = output.Split('\n');
            var result = lines.First(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ');
            var latencies = new List<double>();
            foreach (var line in lines.Where(l => l.StartsWith("L ", StringComparison.Ordinal)))
            {
                var fields = line.Split(' ');
                var micros = double.Parse(fields[1], CultureInfo.InvariantCulture);
                latencies.AddRange(Enumerable.Repeat(micros / 1000, int.Parse(fields[2], CultureInfo.InvariantCulture)));
            }

            return new Result(double.Parse(result[3], CultureInfo.InvariantCulture) / 1_000_000, long.Parse(result[1], CultureInfo.InvariantCulture),
                long.Parse(result[2], CultureInfo.InvariantCulture), latencies);
        }
        finally
        {
            process.Dispose();
            File.Delete(script);
        }
    }
}
