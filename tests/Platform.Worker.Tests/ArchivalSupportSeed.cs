using System.Net;
using Npgsql;
using NpgsqlTypes;
using Platform.Tests.Support;

namespace Platform.Worker.Tests;

/// <summary>Audit rows written straight into the table with binary COPY, as the owner (bypassing row-level security).</summary>
internal static class AuditSeed
{
    private static readonly string[] ActorTypes = ["user", "api_key", "system"];
    private static readonly string[] TargetTypes = ["tenant", "user", "agent", "skill", "api_key", "team"];
    private static readonly string[] Severities = ["info", "warning", "critical"];

    /// <summary><paramref name="count"/> rows spread over the UTC <paramref name="day"/> (every tenth shares its neighbour's created_at).</summary>
    public static Task<List<SeededRow>> DayAsync(WorkerFixture fixture, Guid? tenant, DateOnly day, int count) =>
        DayAsync(fixture.Database, tenant, day, count);

    public static Task<List<SeededRow>> DayAsync(PlatformDatabase database, Guid? tenant, DateOnly day, int count)
    {
        var start = ArchiveHarness.Start(day);
        var step = TimeSpan.FromTicks(TimeSpan.FromDays(1).Ticks / (count + 1));
        return RowsAsync(database, tenant, Enumerable.Range(0, count).Select(i =>
        {
            var at = start + step * (i % 10 == 9 ? i - 1 : i);
            return new DateTimeOffset(at.Ticks - at.Ticks % 10, TimeSpan.Zero); // PostgreSQL keeps microseconds
        }));
    }

    public static Task<List<SeededRow>> RowsAsync(WorkerFixture fixture, Guid? tenant, IEnumerable<DateTimeOffset> createdAt) =>
        RowsAsync(fixture.Database, tenant, createdAt);

    public static async Task<List<SeededRow>> RowsAsync(PlatformDatabase database, Guid? tenant, IEnumerable<DateTimeOffset> createdAt)
    {
        var rows = new List<SeededRow>();
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync(ArchiveHarness.Ct);
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY audit_logs (id, tenant_id, actor_type, actor_id, action, target_type, target_id, severity, details, ip_address, user_agent, created_at) " +
            "FROM STDIN (FORMAT BINARY)", ArchiveHarness.Ct))
        {
            var i = 0;
            foreach (var at in createdAt)
            {
                var row = new SeededRow(Guid.CreateVersion7(), tenant, at);
                rows.Add(row);
                await writer.StartRowAsync(ArchiveHarness.Ct);
                await writer.WriteAsync(row.Id, NpgsqlDbType.Uuid, ArchiveHarness.Ct);
                await WriteOrNullAsync(writer, tenant, NpgsqlDbType.Uuid);
                await writer.WriteAsync(ActorTypes[i % 3], "audit_actor_type", ArchiveHarness.Ct);
                await WriteOrNullAsync(writer, i % 3 == 2 ? null : Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await writer.WriteAsync($"test.archival_{i % 7}", NpgsqlDbType.Text, ArchiveHarness.Ct);
                if (i % 4 == 0)
                {
                    await writer.WriteNullAsync(ArchiveHarness.Ct);
                    await writer.WriteNullAsync(ArchiveHarness.Ct);
                }
                else
                {
                    await writer.WriteAsync(TargetTypes[i % 6], "audit_target_type", ArchiveHarness.Ct);
                    await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ArchiveHarness.Ct);
                }

                await writer.WriteAsync(Severities[i % 3], "audit_severity", ArchiveHarness.Ct);
                if (i % 5 == 4)
                {
                    await writer.WriteNullAsync(ArchiveHarness.Ct);
                }
                else
                {
                    await writer.WriteAsync($$"""{"n": {{i}}, "note": "zürich \"quoted\" <b>", "list": [1, 2.5, null]}""", NpgsqlDbType.Jsonb, ArchiveHarness.Ct);
                }

                await WriteOrNullAsync(writer, i % 2 == 0 ? IPAddress.Parse($"10.1.{i % 250}.{(i / 250) % 250}") : i % 3 == 0 ? IPAddress.IPv6Loopback : null, NpgsqlDbType.Inet);
                await WriteOrNullAsync(writer, i % 3 == 1 ? null : "Mozilla/5.0 (tests; ü)", NpgsqlDbType.Text);
                await writer.WriteAsync(at, NpgsqlDbType.TimestampTz, ArchiveHarness.Ct);
                i++;
            }

            await writer.CompleteAsync(ArchiveHarness.Ct);
        }

        return rows;
    }

    private static Task WriteOrNullAsync(NpgsqlBinaryImporter writer, Guid? value, NpgsqlDbType type) =>
        value is { } id ? writer.WriteAsync(id, type, ArchiveHarness.Ct) : writer.WriteNullAsync(ArchiveHarness.Ct);

    private static Task WriteOrNullAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type)
        where T : class =>
        value is null ? writer.WriteNullAsync(ArchiveHarness.Ct) : writer.WriteAsync(value, type, ArchiveHarness.Ct);

    /// <summary>How many rows of these tenants (null = platform) PostgreSQL still has, seen as the owner.</summary>
    public static Task<long> CountAsync(WorkerFixture fixture, IEnumerable<Guid?> tenants, DateTimeOffset? before = null, DateTimeOffset? from = null) =>
        CountAsync(fixture.Database, tenants, before, from);

    public static async Task<long> CountAsync(PlatformDatabase database, IEnumerable<Guid?> tenants, DateTimeOffset? before = null, DateTimeOffset? from = null)
    {
        var list = tenants.ToList();
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync(ArchiveHarness.Ct);
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FROM audit_logs
            WHERE (tenant_id = ANY(@tenants) OR (@platform AND tenant_id IS NULL))
              AND created_at < coalesce(@before, 'infinity') AND created_at >= coalesce(@from, '-infinity')
              AND action LIKE 'test.archival%'
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("tenants", list.OfType<Guid>().ToArray()));
        command.Parameters.Add(new NpgsqlParameter<bool>("platform", list.Contains(null)));
        command.Parameters.Add(new NpgsqlParameter("before", NpgsqlDbType.TimestampTz) { Value = (object?)before ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = (object?)from ?? DBNull.Value });
        return (long)(await command.ExecuteScalarAsync(ArchiveHarness.Ct))!;
    }

    /// <summary>How many rows of the tenant PostgreSQL still has for the UTC day.</summary>
    public static Task<long> CountDayAsync(WorkerFixture fixture, Guid tenant, DateOnly day) =>
        CountAsync(fixture, [tenant], before: ArchiveHarness.Start(day).AddDays(1), from: ArchiveHarness.Start(day));
}
