using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data;
using Platform.Data.Tenancy;

namespace Platform.Worker.Archival;

/// <summary>
/// The (tenant, UTC day) groups with rows created before the cutoff: oldest day first, and within a day
/// platform rows first, then by tenant id, read a page at a time.
/// </summary>
/// <param name="onlyTenants">Test seam (<see cref="AuditArchiver.OnlyTenants"/>): only these tenants, null = platform rows.</param>
internal sealed class ArchiveGroupFinder(
    DbContextOptions<PlatformDbContext> dbOptions, S3ArchiveOptions options, IReadOnlyCollection<Guid?>? onlyTenants)
{
    public async IAsyncEnumerable<ArchiveGroup> FindAsync(DateTimeOffset cutoff, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Day by day: each query reads one day's rows through the created_at index, so a first run over a
        // long backlog costs one pass over it, not one per page.
        var from = DateTimeOffset.UnixEpoch;
        while (await NextDayAsync(from, cutoff, cancellationToken) is { } day)
        {
            Guid? afterTenant = null;
            while (true)
            {
                var page = await ReadGroupsAsync(day, afterTenant, cancellationToken);
                foreach (var group in page)
                {
                    afterTenant = group.TenantId ?? Guid.Empty;
                    yield return group;
                }

                if (page.Count < options.GroupPageSize)
                {
                    break;
                }
            }

            from = ArchiveGroup.StartOf(day).AddDays(1);
        }
    }

    /// <summary>The UTC day of the oldest row created in [<paramref name="from"/>, <paramref name="cutoff"/>), if any.</summary>
    private async Task<DateOnly?> NextDayAsync(DateTimeOffset from, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        List<NpgsqlParameter> parameters =
        [
            new NpgsqlParameter<DateTimeOffset>("from", from),
            new NpgsqlParameter<DateTimeOffset>("cutoff", cutoff),
        ];
        var sql = $"""
            SELECT (min(created_at) AT TIME ZONE 'UTC')::date AS "Value"
            FROM audit_logs
            WHERE created_at >= @from AND created_at < @cutoff {TenantFilter(parameters)}
            """;
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        var days = await db.Database.SqlQueryRaw<DateOnly?>(sql, [.. parameters]).ToListAsync(cancellationToken);
        return days.SingleOrDefault();
    }

    /// <summary>The day's tenants with rows (platform first, then by id), a page after <paramref name="afterTenant"/>.</summary>
    private async Task<List<ArchiveGroup>> ReadGroupsAsync(DateOnly day, Guid? afterTenant, CancellationToken cancellationToken)
    {
        List<NpgsqlParameter> parameters =
        [
            new NpgsqlParameter<DateTimeOffset>("start", ArchiveGroup.StartOf(day)),
            new NpgsqlParameter<DateTimeOffset>("end", ArchiveGroup.StartOf(day).AddDays(1)),
            new NpgsqlParameter<DateOnly>("day", day),
            new NpgsqlParameter<int>("page", options.GroupPageSize),
        ];
        var keyset = string.Empty;
        if (afterTenant is { } after)
        {
            keyset = "AND coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid) > @after";
            parameters.Add(new NpgsqlParameter<Guid>("after", after));
        }

        var sql = $"""
            SELECT tenant_id, @day AS day, count(*) AS row_count
            FROM audit_logs
            WHERE created_at >= @start AND created_at < @end {keyset} {TenantFilter(parameters)}
            GROUP BY tenant_id
            ORDER BY coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)
            LIMIT @page
            """;
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        return await db.Database.SqlQueryRaw<ArchiveGroup>(sql, [.. parameters]).ToListAsync(cancellationToken);
    }

    private string TenantFilter(List<NpgsqlParameter> parameters)
    {
        if (onlyTenants is not { } only)
        {
            return string.Empty;
        }

        parameters.Add(new NpgsqlParameter<Guid[]>("tenants", only.OfType<Guid>().ToArray()));
        parameters.Add(new NpgsqlParameter<bool>("platform", only.Contains(null)));
        return "AND (tenant_id = ANY(@tenants) OR (@platform AND tenant_id IS NULL))";
    }
}
