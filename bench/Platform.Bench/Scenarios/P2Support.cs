using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Platform.Bench.Scenarios;

/// <summary>
/// Helpers of the P2, P3 and P8 scenarios: sign-in, API keys, agent ids, stopping an API process
/// early, wrk with a custom Lua request function, and wrk repeated until a request count is reached.
/// Every load targets the loopback address of a process this run started, and is bounded in time.
/// </summary>
internal static class P2Support
{
    /// <summary>The seeded tenant "Bench NNN" (1-based).</summary>
    public static Guid Tenant(BenchData data, int tenantNo) => data.TenantIds[tenantNo - 1];

    public static string UserEmail(int tenantNo, int userNo) => $"bench-user-{tenantNo}-{userNo}@bench.test";

    /// <summary>Signs in and returns the access token (a JWT).</summary>
    public static async Task<string> LoginAsync(Uri api, string email)
    {
        using var http = new HttpClient { BaseAddress = api };
        using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password = BenchData.Password });
        login.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("accessToken").GetString()!;
    }

    /// <summary>Creates an API key of the tenant whose admin is bench-user-N-1, and returns its id and secret.</summary>
    public static async Task<(Guid Id, string Secret)> CreateApiKeyAsync(Uri api, int tenantNo, string name, params string[] scopes)
    {
        var token = await LoginAsync(api, UserEmail(tenantNo, 1));
        using var http = new HttpClient { BaseAddress = api };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var created = await http.PostAsJsonAsync("/api/v1/api-keys", new { name, scopes });
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/v1/api-keys: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        }

        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("apiKey").GetProperty("id").GetGuid(), json.RootElement.GetProperty("key").GetString()!);
    }

    /// <summary>The first <paramref name="count"/> agents of a tenant (by name), read as the owner.</summary>
    public static async Task<IReadOnlyList<Guid>> AgentIdsAsync(BenchEnvironment environment, Guid tenantId, int count)
    {
        await using var connection = environment.OwnerConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM agents WHERE tenant_id = @tenant ORDER BY name LIMIT @count", connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("count", count);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    public static async Task<long> ScalarAsync(BenchEnvironment environment, string sql, Guid tenantId)
    {
        await using var connection = environment.OwnerConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Ends a process this run started (by its id) so that it stops competing for the 2 cores; the
    /// environment's own disposal later finds it exited and only releases it.
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

    /// <summary>
    /// wrk (2 threads) for a fixed duration with a custom Lua prologue (method, headers, body, a
    /// <c>request</c> function); the RESULT line is the same as <see cref="Tools.WrkAsync"/>'s.
    /// </summary>
    public static async Task<LoadResult> WrkScriptAsync(Uri url, int connections, TimeSpan duration, string lua)
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
    public static async Task<(long Requests, long Errors, double RequestsPerSecond)> WrkUntilCountAsync(
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
                result = await WrkScriptAsync(url, connections, TimeSpan.FromSeconds(round), lua.ToString());
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

    /// <summary>CPU seconds (user + system) a process has used; with its children's (live ones and those it has reaped) when asked.</summary>
    public static double CpuSeconds(int pid, bool withChildren = false)
    {
        var total = Ticks(pid, reaped: withChildren);
        if (withChildren)
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), out var child) && child != pid && ParentOf(child) == pid)
                {
                    total += Ticks(child, reaped: true);
                }
            }
        }

        return total / 100.0; // USER_HZ
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

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Max(0, Math.Ceiling(sorted.Length * p) - 1))];

    public static string Ms(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    public static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " MB";
}
