namespace Platform.Bench;

/// <summary>P11's measures of a streaming standby: its replay lag under write load, and reads of the audit log from it.</summary>
internal static class ReplicaMeasures
{
    /// <summary>The primary's view of every standby's replay lag (seconds, bytes), sampled every 100 ms until cancelled.</summary>
    public static async Task<(List<double> Seconds, List<double> Bytes)> SampleReplayLagAsync(LocalPostgres primary, CancellationToken cancellationToken)
    {
        var (seconds, bytes) = (new List<double>(), new List<double>());
        await using var connection = new NpgsqlConnection(primary.ConnectionString() + ";Pooling=false");
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand("""
            SELECT coalesce(max(extract(epoch FROM replay_lag)), 0)::float8, coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0)::float8
            FROM pg_stat_replication
            """, connection);
        while (!cancellationToken.IsCancellationRequested)
        {
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
            {
                await reader.ReadAsync(CancellationToken.None);
                seconds.Add(reader.GetDouble(0));
                bytes.Add(reader.GetDouble(1));
            }

            await Task.Delay(100, CancellationToken.None);
        }

        return (seconds, bytes);
    }

    /// <summary>GET /audit-logs/export streamed to the end; the number of NDJSON lines.</summary>
    public static async Task<long> ExportLinesAsync(Uri url, string token)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Check(response.IsSuccessStatusCode, $"export: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await using var body = await response.Content.ReadAsStreamAsync();
        var (buffer, lines) = (new byte[81920], 0L);
        for (int read; (read = await body.ReadAsync(buffer)) > 0;)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return lines;
    }

    /// <summary>COPY of the audit rows the export's filter selects, in its order, read to the end; the number of lines.</summary>
    public static async Task<long> CopyLinesAsync(string connectionString, DateTime from, DateTime to)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        using var reader = await connection.BeginTextExportAsync($"""
            COPY (SELECT id, tenant_id, actor_type, actor_id, action, target_type, target_id, severity, details, ip_address, user_agent, created_at
                  FROM audit_logs WHERE created_at >= '{from:yyyy-MM-dd}' AND created_at < '{to:yyyy-MM-dd}' ORDER BY id) TO STDOUT
            """);
        var lines = 0L;
        while (await reader.ReadLineAsync() is not null)
        {
            lines++;
        }

        return lines;
    }

    public static async Task<(T Value, TimeSpan Elapsed)> TimeAsync<T>(Func<Task<T>> action)
    {
        var watch = Stopwatch.StartNew();
        var value = await action();
        return (value, watch.Elapsed);
    }
}
