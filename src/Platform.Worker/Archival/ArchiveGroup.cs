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
    public string RowCondition() =>
        $"{(TenantId is null ? "tenant_id IS NULL" : "tenant_id = @tenant")} AND created_at >= @start AND created_at < @end";

    /// <summary>
    /// <see cref="RowCondition"/> with its values inlined, for COPY, which takes no parameters. Every value
    /// is a Guid or a date formatted here, never text from outside.
    /// </summary>
    public string RowConditionLiteral()
    {
        var start = StartOf(Day);
        var tenant = TenantId is { } id ? $"tenant_id = '{id:D}'::uuid" : "tenant_id IS NULL";
        return string.Create(CultureInfo.InvariantCulture, $"{tenant} AND created_at >= '{start:yyyy-MM-dd}T00:00:00Z'::timestamptz AND created_at < '{start.AddDays(1):yyyy-MM-dd}T00:00:00Z'::timestamptz");
    }

    /// <summary>Fresh parameters for <see cref="RowCondition"/>: an Npgsql parameter belongs to one command only.</summary>
    public NpgsqlParameter[] RowParameters()
    {
        var start = StartOf(Day);
        NpgsqlParameter[] range = [new NpgsqlParameter<DateTimeOffset>("start", start), new NpgsqlParameter<DateTimeOffset>("end", start.AddDays(1))];
        return TenantId is { } id ? [new NpgsqlParameter<Guid>("tenant", id) { NpgsqlDbType = NpgsqlDbType.Uuid }, .. range] : range;
    }
}
