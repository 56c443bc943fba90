using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Platform.Worker.Archival;

/// <summary>A (tenant, UTC day) with rows older than the retention.</summary>
internal sealed class ArchiveGroup
{
    public Guid? TenantId { get; set; }

    public DateOnly Day { get; set; }

    public long RowCount { get; set; }

    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The SQL condition that selects the group's rows in <c>audit_logs</c>, with <see cref="RowParameters"/>.</summary>
    public string RowCondition() => Condition("@tenant", "@start", "@end");

    /// <summary>
    /// <see cref="RowCondition"/> with its values inlined, for COPY, which takes no parameters. Every value
    /// is a Guid or a date formatted here, never text from outside.
    /// </summary>
    public string RowConditionLiteral()
    {
        var start = StartOf(Day);
        return Condition($"'{TenantId.GetValueOrDefault():D}'::uuid", Timestamp(start), Timestamp(start.AddDays(1)));

        static string Timestamp(DateTimeOffset at) => string.Create(CultureInfo.InvariantCulture, $"'{at:yyyy-MM-dd}T00:00:00Z'::timestamptz");
    }

    /// <summary>Fresh parameters for <see cref="RowCondition"/>: an Npgsql parameter belongs to one command only.</summary>
    public NpgsqlParameter[] RowParameters()
    {
        var start = StartOf(Day);
        NpgsqlParameter[] range = [new NpgsqlParameter<DateTimeOffset>("start", start), new NpgsqlParameter<DateTimeOffset>("end", start.AddDays(1))];
        return TenantId is { } id ? [new NpgsqlParameter<Guid>("tenant", id) { NpgsqlDbType = NpgsqlDbType.Uuid }, .. range] : range;
    }

    private string Condition(string tenant, string start, string end) =>
        $"{(TenantId is null ? "tenant_id IS NULL" : $"tenant_id = {tenant}")} AND created_at >= {start} AND created_at < {end}";
}
