using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Platform.Bench;

public sealed record LoadResult(double RequestsPerSecond, double P99Ms, double MeanMs, long Requests, long Errors)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{RequestsPerSecond:0} req/s, p99 {P99Ms:0.0} ms");
}

/// <summary>The external tools the benchmarks drive: bombardier for HTTP, pgbench for PostgreSQL; every run is bounded in time.</summary>
public static class Tools
{
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }

        return await stdout;
    }

    /// <summary>wrk against a loopback URL for a fixed duration (2 threads); method, headers and body through a Lua script.</summary>
    public static async Task<LoadResult> WrkAsync(
        Uri url, int connections, TimeSpan duration, IDictionary<string, string>? headers = null, string method = "GET", string? body = null)
    {
        var lua = new System.Text.StringBuilder();
        lua.AppendLine($"wrk.method = \"{method}\"");
        if (body is not null)
        {
            lua.AppendLine($"wrk.body = [==[{body}]==]");
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            lua.AppendLine($"wrk.headers[\"{name}\"] = \"{value}\"");
        }

        lua.AppendLine("""
            done = function(summary, latency, requests)
              io.write(string.format("RESULT %d %d %.3f %.3f %d\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
                latency:percentile(99) / 1000, latency.mean / 1000, summary.duration))
            end
            """);
        var script = Path.Combine(Path.GetTempPath(), $"wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, lua.ToString());
        var output = await RunAsync("wrk", ["-t", Math.Min(2, connections).ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{(int)duration.TotalSeconds}s", "-s", script, url.ToString()]);
        File.Delete(script);
        var fields = output.Split('\n').First(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ');
        var requests = long.Parse(fields[1], CultureInfo.InvariantCulture);
        var micros = double.Parse(fields[5], CultureInfo.InvariantCulture);
        return new LoadResult(requests / (micros / 1_000_000), double.Parse(fields[3], CultureInfo.InvariantCulture),
            double.Parse(fields[4], CultureInfo.InvariantCulture), requests, long.Parse(fields[2], CultureInfo.InvariantCulture));
    }

    /// <summary>pgbench running a custom script for a fixed duration; p99 from its per-transaction log.</summary>
    public static async Task<LoadResult> PgBenchAsync(
        string connectionString, string script, int clients, TimeSpan duration, IDictionary<string, string>? variables = null, string protocol = "prepared")
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var directory = Directory.CreateTempSubdirectory("pgbench-").FullName;
        var scriptPath = Path.Combine(directory, "script.sql");
        await File.WriteAllTextAsync(scriptPath, script);
        List<string> args =
        [
            "-n", "-f", scriptPath, "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", Math.Min(clients, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
            "-T", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-M", protocol, "--log", "--log-prefix", Path.Combine(directory, "log"),
            "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!, builder.Database!,
        ];
        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            args.AddRange(["-D", $"{name}={value}"]);
        }

        var environment = new Dictionary<string, string> { ["PGPASSWORD"] = builder.Password ?? "" };
        var output = await RunAsync("pgbench", args, environment);
        var tps = double.Parse(output.Split('\n').First(l => l.StartsWith("tps = ", StringComparison.Ordinal)).Split(' ')[2], CultureInfo.InvariantCulture);

        // Log lines: client_id transaction_no time(us) script_no time_epoch time_us
        var latencies = Directory.GetFiles(directory, "log*")
            .SelectMany(File.ReadLines)
            .Select(l => double.Parse(l.Split(' ')[2], CultureInfo.InvariantCulture) / 1000)
            .Order()
            .ToArray();
        var p99 = latencies.Length == 0 ? 0 : latencies[(int)Math.Min(latencies.Length - 1, Math.Ceiling(latencies.Length * 0.99) - 1)];
        Directory.Delete(directory, recursive: true);
        return new LoadResult(tps, p99, latencies.Length == 0 ? 0 : latencies.Average(), latencies.Length, 0);
    }

    public static double Seconds(Stopwatch watch) => watch.Elapsed.TotalSeconds;
}
