namespace Platform.Bench;

public sealed record LoadResult(double RequestsPerSecond, double P99Ms, long Requests, long Errors)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{RequestsPerSecond:0} req/s, p99 {P99Ms:0.0} ms, {Errors} errors");
}

/// <summary>The external tools the benchmarks drive: wrk for HTTP, pgbench for PostgreSQL; every run is bounded in time and loopback only.</summary>
public static class Tools
{
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Check(process.ExitCode == 0, $"{file} exited with {process.ExitCode}: {await stderr}{await stdout}");
        return await stdout;
    }

    /// <summary>
    /// wrk (2 threads) for a fixed duration. Method, headers and body go into its Lua script, followed by
    /// <paramref name="lua"/> (e.g. a <c>request</c> function that spreads the requests over paths).
    /// </summary>
    public static async Task<LoadResult> WrkAsync(
        Uri url, int connections, TimeSpan duration, IDictionary<string, string>? headers = null, string method = "GET", string? body = null, string? lua = null)
    {
        Check(url.IsLoopback, $"Load goes to loopback only, not {url}");
        var script = new StringBuilder().AppendLine($"wrk.method = \"{method}\"")
            .AppendLine(body is null ? "" : $"wrk.body = [==[{body}]==]\nwrk.headers[\"Content-Type\"] = \"application/json\"")
            .AppendJoin('\n', (headers ?? new Dictionary<string, string>()).Select(h => $"wrk.headers[\"{h.Key}\"] = \"{h.Value}\"")).AppendLine()
            .AppendLine(lua).AppendLine("""
            done = function(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("RESULT %d %d %.3f %d\n", summary.requests, e.status + e.connect + e.read + e.write + e.timeout,
                latency:percentile(99) / 1000, summary.duration))
            end
            """);
        var path = Path.Combine(Path.GetTempPath(), $"wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(path, script.ToString());
        try
        {
            var output = await RunAsync("wrk", ["-t", I(Math.Min(2, connections)), "-c", I(connections), "-d", $"{(int)duration.TotalSeconds}s", "--timeout", "30s", "-s", path, url.ToString()]);
            var f = output.Split('\n').First(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ');
            var requests = long.Parse(f[1], CultureInfo.InvariantCulture);
            return new LoadResult(requests / (double.Parse(f[4], CultureInfo.InvariantCulture) / 1_000_000), D(f[3]), requests, long.Parse(f[2], CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(path);
        }
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
            "-n", "-f", scriptPath, "-c", I(clients), "-j", I(Math.Min(clients, Environment.ProcessorCount)), "-T", I((int)duration.TotalSeconds), "-M", protocol,
            "--log", "--log-prefix", Path.Combine(directory, "log"), "-h", builder.Host!, "-p", I(builder.Port), "-U", builder.Username!, builder.Database!,
        ];
        args.AddRange((variables ?? new Dictionary<string, string>()).SelectMany(v => new[] { "-D", $"{v.Key}={v.Value}" }));
        try
        {
            var output = await RunAsync("pgbench", args, new Dictionary<string, string> { ["PGPASSWORD"] = builder.Password ?? "" });
            var tps = D(output.Split('\n').First(l => l.StartsWith("tps = ", StringComparison.Ordinal)).Split(' ')[2]);

            // Log lines: client_id transaction_no time(us) script_no time_epoch time_us
            var latencies = Directory.GetFiles(directory, "log*").SelectMany(File.ReadLines).Select(l => D(l.Split(' ')[2]) / 1000).Order().ToArray();
            return new LoadResult(tps, PercentileOfSorted(latencies, 0.99), latencies.Length, 0);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
    private static double D(string value) => double.Parse(value, CultureInfo.InvariantCulture);
}
