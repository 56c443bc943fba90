using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Data;
using Platform.Data.Tenancy;

namespace Platform.Worker.Jobs;

/// <summary>
/// Hourly: each finished hour of raw container samples becomes one <c>hour</c> row per container (mean
/// CPU, max memory, worst status, sample count). The roll-up key is unique, so re-running an hour
/// inserts nothing; then raw samples past 24 h and hourly rows past 30 days are deleted in batches.
/// </summary>
public sealed class HealthRollupJob(DbContextOptions<PlatformDbContext> dbOptions, JobAudit audit, IOptions<RetentionOptions> options, TimeProvider clock)
{
    public Task RunAsync(CancellationToken cancellationToken) => audit.RunExclusiveAsync("job.health_rollup", async (counts, ct) =>
    {
        var now = clock.GetUtcNow();
        var currentHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);

        // Every finished hour that raw samples still cover (they are kept a little longer than they are rolled up).
        for (var hour = currentHour.AddHours(-(options.Value.RawHealthHours + 1)); hour < currentHour; hour = hour.AddHours(1))
        {
            counts.Add("rolled_up", await RollUpHourAsync(hour, ct));
        }

        var rawCutoff = now.AddHours(-options.Value.RawHealthHours);
        var hourlyCutoff = now.AddDays(-options.Value.HourlyHealthDays);
        counts.Add("raw_deleted", await DeleteAsync("raw", rawCutoff, ct));
        counts.Add("hourly_deleted", await DeleteAsync("hour", hourlyCutoff, ct));
    }, cancellationToken);

    public async Task<int> RollUpHourAsync(DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var end = hour.AddHours(1);
        await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
        return await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO container_health (id, tenant_id, agent_id, container_id, status, cpu_percent, memory_mb, memory_limit_mb,
                                          restart_count, sample_count, resolution, recorded_at)
            SELECT uuid_v7(), tenant_id, (array_agg(agent_id ORDER BY recorded_at DESC))[1], container_id, max(status),
                   avg(cpu_percent), max(memory_mb), max(memory_limit_mb), max(restart_count), sum(sample_count)::int, 'hour', {hour}
            FROM container_health
            WHERE resolution = 'raw' AND recorded_at >= {hour} AND recorded_at < {end}
            GROUP BY tenant_id, container_id
            ON CONFLICT (container_id, recorded_at) WHERE resolution = 'hour' DO NOTHING
            """, cancellationToken);
    }

    private async Task<long> DeleteAsync(string resolution, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        long total = 0;
        int affected;
        do
        {
            await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
            affected = await db.Database.ExecuteSqlAsync(
                $"""
                DELETE FROM container_health WHERE id IN (
                    SELECT id FROM container_health WHERE resolution = {resolution} AND recorded_at < {cutoff} LIMIT {options.Value.BatchSize})
                """, cancellationToken);
            total += affected;
        }
        while (affected >= options.Value.BatchSize);

        return total;
    }
}
