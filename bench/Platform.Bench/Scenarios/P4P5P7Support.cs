using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using Platform.Data;
using Platform.Tests.Support;

namespace Platform.Bench.Scenarios;

/// <summary>Helpers shared by the P4 (token cleanup), P5 (audit archival) and P7 (health roll-up) scenarios.</summary>
internal static class P4P5P7Support
{
    /// <summary>The Worker's DbContext options, as WorkerFixture builds them (application role, row-level security on), plus interceptors.</summary>
    public static DbContextOptions<PlatformDbContext> AppOptions(string connectionString, params IInterceptor[] interceptors)
    {
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, connectionString);
        if (interceptors.Length > 0)
        {
            options.AddInterceptors(interceptors);
        }

        return options.Options;
    }

    /// <summary>Runs one statement (one implicit transaction) and returns the rows it affected.</summary>
    public static async Task<int> ExecuteAsync(string connectionString, string sql, IDictionary<string, object>? parameters = null, int timeoutSeconds = 900)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = timeoutSeconds };
        foreach (var (name, value) in parameters ?? new Dictionary<string, object>())
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, IDictionary<string, object>? parameters = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 900 };
        foreach (var (name, value) in parameters ?? new Dictionary<string, object>())
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The text of EXPLAIN (ANALYZE, BUFFERS) of a statement, inside a transaction that is rolled back.</summary>
    public static async Task<string> ExplainAnalyzeAsync(string connectionString, string statement, string? prelude = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (prelude is not null)
        {
            await using var setup = new NpgsqlCommand(prelude, connection, transaction);
            await setup.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + statement, connection, transaction) { CommandTimeout = 900 };
        var lines = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                // Long filters (an inline array of ids) are cut: the plan's shape and timings are what matter.
                var line = reader.GetString(0);
                lines.Add(line.Length > 300 ? line[..300] + " …" : line);
            }
        }

        await transaction.RollbackAsync();
        return string.Join('\n', lines);
    }

    /// <summary>Drops a scenario's own database (never the shared one), closing this process's pooled connections to it first.</summary>
    public static async Task DropDatabaseAsync(PlatformDatabase database)
    {
        try
        {
            await using (var owner = new NpgsqlConnection(database.OwnerConnectionString))
            {
                NpgsqlConnection.ClearPool(owner);
            }

            await using (var app = new NpgsqlConnection(database.AppConnectionString))
            {
                NpgsqlConnection.ClearPool(app);
            }

            await ExecuteAsync(database.Server.ConnectionString(), $"DROP DATABASE IF EXISTS \"{database.Name}\" WITH (FORCE)");
        }
        catch (NpgsqlException ex)
        {
            Console.WriteLine($"could not drop {database.Name}: {ex.Message}");
        }
    }

    /// <summary>Ends a process this scenario started (by its id), so its CPU and connections are gone before the next step.</summary>
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
            // already gone
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double Percentile(IEnumerable<double> values, double percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, Math.Max(0, Math.Ceiling(sorted.Length * percentile) - 1))];
    }

    public static string F(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Mib(long bytes) => F(bytes / 1024.0 / 1024.0, "0") + " MiB";
}

/// <summary>
/// Records how long each statement of a DbContext took, as EF Core measures it: for a non-query the
/// execution, for a query the time until its reader is disposed (so a streamed read includes the
/// work done per row). Each statement is put in a bucket by <c>classify</c> (null = not recorded).
/// </summary>
internal sealed class P4P5P7CommandTimer(Func<string, string?> classify) : DbCommandInterceptor
{
    private readonly ConcurrentQueue<(string Kind, double Ms)> _entries = new();

    public IReadOnlyList<double> Durations(string kind) => [.. _entries.Where(e => e.Kind == kind).Select(e => e.Ms)];

    public double TotalSeconds(string kind) => _entries.Where(e => e.Kind == kind).Sum(e => e.Ms) / 1000;

    public void Clear() => _entries.Clear();

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Record(command, eventData.Duration);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Record(command, eventData.Duration);
        return result;
    }

    private void Record(DbCommand command, TimeSpan duration)
    {
        if (classify(command.CommandText) is { } kind)
        {
            _entries.Enqueue((kind, duration.TotalMilliseconds));
        }
    }
}

/// <summary>Samples this process's resident set size (VmRSS from /proc/self/status) in the background.</summary>
internal sealed class P4P5P7RssSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(double Seconds, long Bytes)> _samples = [];
    private readonly Task _loop;

    public P4P5P7RssSampler(TimeSpan interval)
    {
        var watch = Stopwatch.StartNew();
        _samples.Add((0, Current()));
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var rss = Current();
                lock (_samples)
                {
                    _samples.Add((watch.Elapsed.TotalSeconds, rss));
                }

                try
                {
                    await Task.Delay(interval, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    public static long Current()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>Stops sampling; returns every (seconds since start, bytes) sample.</summary>
    public async Task<IReadOnlyList<(double Seconds, long Bytes)>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        lock (_samples)
        {
            _samples.Add((_samples[^1].Seconds, Current()));
            return [.. _samples];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}

/// <summary>A logger that keeps the formatted messages (at Information and above) for the scenario to print.</summary>
internal sealed class P4P5P7CapturingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IReadOnlyList<string> Messages => [.. _messages];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            _messages.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
        }
    }
}
