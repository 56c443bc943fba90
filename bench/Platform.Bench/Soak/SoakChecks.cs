using System.Globalization;
using Npgsql;

namespace Platform.Bench.Soak;

/// <summary>One recurring job's runs during the soak, from its <c>system</c> audit rows.</summary>
internal sealed record JobRuns(string Action, long Runs, long Failed, long MaxDurationMs);

/// <summary>Warnings and errors an app logged, with the first distinct error messages as evidence.</summary>
internal sealed record LogFindings(string Name, int Warnings, int Errors, int Critical, IReadOnlyList<string> FirstErrors);

/// <summary>What the database and the apps' logs say after the soak (read as the owner, so row-level security hides nothing).</summary>
internal static class SoakChecks
{
    public static readonly string[] Jobs = ["job.audit_archival", "job.health_rollup", "job.invite_cleanup", "job.refresh_token_cleanup"];

    public static async Task<IReadOnlyList<JobRuns>> JobRunsAsync(BenchEnvironment environment, DateTimeOffset since)
    {
        var rows = await QueryAsync(environment, """
            SELECT action, count(*), count(*) FILTER (WHERE severity <> 'info'), coalesce(max((details->>'durationMs')::bigint), 0)
            FROM audit_logs WHERE actor_type = 'system' AND action LIKE 'job.%' AND created_at >= @since GROUP BY action
            """, since, r => new JobRuns(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)));
        return [.. Jobs.Select(job => rows.FirstOrDefault(r => r.Action == job) ?? new JobRuns(job, 0, 0, 0))];
    }

    /// <summary>Hangfire's jobs by state (this run's database holds only this run's jobs).</summary>
    public static async Task<string> HangfireStatesAsync(BenchEnvironment environment)
    {
        try
        {
            var states = await QueryAsync(environment, "SELECT coalesce(statename, '(none)'), count(*) FROM hangfire.job GROUP BY 1 ORDER BY 1",
                null, r => $"{r.GetString(0)} {r.GetInt64(1)}");
            return states.Count == 0 ? "no jobs" : string.Join(", ", states);
        }
        catch (PostgresException ex)
        {
            return $"unreadable ({ex.MessageText})";
        }
    }

    /// <summary>Raw container_health rows the Docker poller wrote for the resident agents between two instants, and of how many containers.</summary>
    public static async Task<(long Samples, long Containers)> ResidentSamplesAsync(
        BenchEnvironment environment, IReadOnlyList<Guid> residents, DateTimeOffset from, DateTimeOffset to)
    {
        await using var connection = environment.OwnerConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT count(*), count(DISTINCT container_id) FROM container_health
            WHERE resolution = 'raw' AND agent_id = ANY(@ids) AND recorded_at >= @from AND recorded_at < @to
            """, connection);
        command.Parameters.AddWithValue("ids", residents.ToArray());
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Alerts opened during the soak, by kind.</summary>
    public static async Task<string> AlertsAsync(BenchEnvironment environment, DateTimeOffset since)
    {
        var kinds = await QueryAsync(environment, "SELECT kind, count(*) FROM alerts WHERE created_at >= @since GROUP BY kind ORDER BY 2 DESC",
            since, r => $"{r.GetString(0)} {r.GetInt64(1)}");
        return kinds.Count == 0 ? "none" : string.Join(", ", kinds);
    }

    /// <summary>The agents the soak created and did not delete, by status (provisioning until the worker moves them on).</summary>
    public static async Task<string> CreatedAgentsLeftAsync(BenchEnvironment environment, string runId, DateTimeOffset since)
    {
        var states = await QueryAsync(environment, $"SELECT status::text, count(*) FROM agents WHERE name LIKE 'soak-{runId}-%' AND name NOT LIKE '%{ResidentAgents.NameMarker}%' AND created_at >= @since GROUP BY 1 ORDER BY 1",
            since, r => $"{r.GetString(0)} {r.GetInt64(1)}");
        return states.Count == 0 ? "none" : string.Join(", ", states);
    }

    /// <summary>Counts the console logger's "warn:", "fail:" and "crit:" entries; the message is the entry's next line.</summary>
    public static LogFindings ScanLog(string name, string path)
    {
        if (!File.Exists(path))
        {
            return new LogFindings(name, 0, 0, 0, []);
        }

        int warnings = 0, errors = 0, critical = 0;
        var first = new List<string>();
        string? pending = null;
        foreach (var line in File.ReadLines(path))
        {
            if (pending is not null)
            {
                var message = $"{pending} {line.Trim()}";
                if (first.Count < 5 && !first.Contains(message))
                {
                    first.Add(message.Length > 400 ? message[..400] + " …" : message);
                }

                pending = null;
            }

            if (line.StartsWith("warn:", StringComparison.Ordinal))
            {
                warnings++;
            }
            else if (line.StartsWith("fail:", StringComparison.Ordinal))
            {
                errors++;
                pending = line.Trim();
            }
            else if (line.StartsWith("crit:", StringComparison.Ordinal))
            {
                critical++;
                pending = line.Trim();
            }
        }

        return new LogFindings(name, warnings, errors, critical, first);
    }

    private static async Task<List<T>> QueryAsync<T>(BenchEnvironment environment, string sql, DateTimeOffset? since, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = environment.OwnerConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 120 };
        if (since is { } value)
        {
            command.Parameters.AddWithValue("since", value);
        }

        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
