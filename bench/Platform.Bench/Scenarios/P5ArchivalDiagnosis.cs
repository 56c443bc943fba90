using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Platform.Tests.Support;
using static Platform.Bench.Scenarios.Checks;
using static Platform.Bench.Scenarios.Formatting;

namespace Platform.Bench.Scenarios;

/// <summary>
/// Where P5's database time can go. Printed: the plans of one group's read (the archive writer's statement) and of its
/// delete (rolled back), as the application role in platform scope. Returned: the
/// time PostgreSQL needs for the 100 group reads alone (each the writer's ordered statement as COPY TO STDOUT, rows
/// discarded), the same rows read a day per statement, and the group reads under the previous (per-row) policy.
/// </summary>
internal static partial class P5ArchivalDiagnosis
{
    public sealed record Findings(double GroupReadSeconds, double DayReadSeconds, double PreviousPolicyGroupReadSeconds, double RangeDeleteMs, int Groups);

    public static async Task<Findings> DiagnoseAsync(PlatformDatabase database, DateTimeOffset cutoff)
    {
        var groups = await GroupsAsync(database, cutoff);
        var first = groups[0];
        var rangeMs = await PrintPlansAsync(database, first);

        var watch = Stopwatch.StartNew();
        await CopyDiscardedAsync(database, groups.Select(GroupSql));
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"P5 diagnosis: the {groups.Count} group reads alone (COPY of each ordered group statement, discarded): {F(seconds, "0.00")} s");

        // The same rows read a day at a time (all tenants of the day in one statement, ordered by tenant), as a day-wise writer would.
        watch.Restart();
        await CopyDiscardedAsync(database, groups.Select(g => g.Day).Distinct().Select(DaySql));
        var daySeconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"P5 diagnosis: the same rows read one day per statement (ordered by tenant, created_at, id), discarded: {F(daySeconds, "0.00")} s");

        // Only in this scenario's database, and put back before the job runs.
        const string PolicyText = "SELECT qual || ' / ' || with_check FROM pg_policies WHERE tablename = 'audit_logs' AND policyname = 'tenant_isolation'";
        var productPolicy = await Sql.ScalarAsync<string>(database.OwnerConnectionString, PolicyText);
        await TenantIsolationPolicy.SetAsync(database.OwnerConnectionString, "audit_logs", TenantIsolationPolicy.Previous);
        double previousSeconds;
        try
        {
            Console.WriteLine($"P5 diagnosis: EXPLAIN ANALYZE of one group's read with the previous policy (a function call per row):\n{await Sql.ExplainAnalyzeAsync(database.AppConnectionString, GroupSql(first), Sql.PlatformScope)}");
            watch.Restart();
            await CopyDiscardedAsync(database, groups.Select(GroupSql));
            previousSeconds = watch.Elapsed.TotalSeconds;
        }
        finally
        {
            await TenantIsolationPolicy.SetAsync(database.OwnerConnectionString, "audit_logs", TenantIsolationPolicy.Product);
        }

        var restored = await Sql.ScalarAsync<string>(database.OwnerConnectionString, PolicyText);
        Check(restored == productPolicy, $"the audit_logs policy was not put back: {restored} instead of {productPolicy}");
        Console.WriteLine($"P5 diagnosis: the {groups.Count} group reads with the previous policy (a function call per row): {F(previousSeconds, "0.00")} s");
        return new Findings(seconds, daySeconds, previousSeconds, rangeMs, groups.Count);
    }

    /// <summary>The (tenant, UTC day) groups the archiver writes one object each for.</summary>
    private static async Task<List<(Guid Tenant, DateTime Day)>> GroupsAsync(PlatformDatabase database, DateTimeOffset cutoff)
    {
        var groups = new List<(Guid Tenant, DateTime Day)>();
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date FROM audit_logs WHERE created_at < @cutoff GROUP BY 1, 2 ORDER BY 2, 1", connection);
        command.Parameters.AddWithValue("cutoff", cutoff);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            groups.Add((reader.GetGuid(0), reader.GetDateTime(1)));
        }

        return groups;
    }

    /// <summary>Prints the plans of one group's read and of its delete (the archiver's one statement per group); returns the delete's execution time.</summary>
    private static async Task<double> PrintPlansAsync(PlatformDatabase database, (Guid Tenant, DateTime Day) group)
    {
        Console.WriteLine($"P5 diagnosis: EXPLAIN ANALYZE of one group's read:\n{await Sql.ExplainAnalyzeAsync(database.AppConnectionString, GroupSql(group), Sql.PlatformScope)}");
        var rangeDelete = $"DELETE FROM audit_logs WHERE tenant_id = '{group.Tenant}' " +
            $"AND created_at >= '{group.Day:yyyy-MM-dd} 00:00:00+00' AND created_at < '{group.Day.AddDays(1):yyyy-MM-dd} 00:00:00+00'";
        var rangePlan = await Sql.ExplainAnalyzeAsync(database.AppConnectionString, rangeDelete, Sql.PlatformScope);
        Console.WriteLine($"P5 diagnosis: EXPLAIN ANALYZE of one group's rows deleted by its range in one statement (rolled back):\n{rangePlan}");
        return double.Parse(ExecutionTime().Match(rangePlan).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Each statement as COPY TO STDOUT, one transaction in platform scope each, on one application-role connection; rows discarded.</summary>
    private static async Task CopyDiscardedAsync(PlatformDatabase database, IEnumerable<string> selects)
    {
        await using var connection = new NpgsqlConnection(database.AppConnectionString);
        await connection.OpenAsync();
        var buffer = new char[32 * 1024];
        foreach (var select in selects)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var setup = new NpgsqlCommand(Sql.PlatformScope, connection, transaction))
            {
                await setup.ExecuteNonQueryAsync();
            }

            using (var reader = await connection.BeginTextExportAsync($"COPY ({select}) TO STDOUT"))
            {
                while (await reader.ReadAsync(buffer, 0, buffer.Length) > 0)
                {
                }
            }

            await transaction.CommitAsync();
        }
    }

    /// <summary>The archive writer's read of one group.</summary>
    private static string GroupSql((Guid Tenant, DateTime Day) group) => $"""
        SELECT id, tenant_id, actor_type::text AS actor_type, actor_id, action, target_type::text AS target_type, target_id,
               severity::text AS severity, details::text AS details, abbrev(ip_address) AS ip_address, user_agent, created_at
        FROM audit_logs
        WHERE tenant_id = '{group.Tenant}' AND created_at >= '{group.Day:yyyy-MM-dd} 00:00:00+00' AND created_at < '{group.Day.AddDays(1):yyyy-MM-dd} 00:00:00+00'
        ORDER BY created_at, id
        """;

    private static string DaySql(DateTime day) => GroupSql((Guid.Empty, day)).Replace($"tenant_id = '{Guid.Empty}' AND ", "", StringComparison.Ordinal)
        .Replace("ORDER BY created_at, id", "ORDER BY tenant_id, created_at, id", StringComparison.Ordinal);

    [GeneratedRegex(@"Execution Time: ([0-9.]+) ms")]
    private static partial Regex ExecutionTime();
}
