using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Data.Entities;
using Platform.Worker.Jobs;

namespace Platform.Worker.Tests;

/// <summary>Token and invite cleanup and the container-health roll-up, against the real schema.</summary>
public sealed class RetentionJobsTests(WorkerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly IOptions<RetentionOptions> SmallBatches = Options.Create(new RetentionOptions { BatchSize = 100 });

    [Fact]
    public async Task Refresh_token_cleanup_deletes_exactly_the_expired_and_revoked_ones_in_batches_and_day_old_security_changes()
    {
        var tenant = await fixture.Database.CreateTenantAsync();
        var userId = await CreateUserAsync(tenant);
        var now = DateTimeOffset.UtcNow;
        await InsertTokensAsync(userId, 250, expiresAt: now.AddDays(-2), revokedAt: null);
        await InsertTokensAsync(userId, 30, expiresAt: now.AddDays(5), revokedAt: now.AddDays(-3));
        await InsertTokensAsync(userId, 7, expiresAt: now.AddHours(-12), revokedAt: null);
        await InsertTokensAsync(userId, 5, expiresAt: now.AddDays(5), revokedAt: now.AddHours(-1));
        await InsertTokensAsync(userId, 11, expiresAt: now.AddDays(5), revokedAt: null);
        var oldChange = Guid.CreateVersion7();
        var recentChange = Guid.CreateVersion7();
        await CountAsync($"""
            WITH added AS (INSERT INTO security_changes (id, kind, subject, created_at) VALUES
                ('{oldChange}', 'session', 'x', now() - interval '25 hours'), ('{recentChange}', 'session', 'y', now() - interval '1 hour')
                RETURNING 1)
            SELECT count(*) FROM added
            """);
        var auditBefore = await CountAsync("SELECT count(*) FROM audit_logs WHERE action = 'job.refresh_token_cleanup'");

        var job = new CleanupJobs(fixture.AppOptions, fixture.JobAudit(), SmallBatches, TimeProvider.System);
        await job.RefreshTokensAsync(Ct);

        Assert.Equal(23, await CountAsync($"SELECT count(*) FROM refresh_tokens WHERE user_id = '{userId}'"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM security_changes WHERE id = '{oldChange}'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM security_changes WHERE id = '{recentChange}'"));
        Assert.Equal(auditBefore + 1, await CountAsync("SELECT count(*) FROM audit_logs WHERE action = 'job.refresh_token_cleanup'"));
        var details = await ScalarAsync<string>("SELECT details::text FROM audit_logs WHERE action = 'job.refresh_token_cleanup' ORDER BY created_at DESC LIMIT 1");
        Assert.Contains("\"batches\"", details, StringComparison.Ordinal);
        Assert.Contains("durationMs", details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_cleanup_deletes_the_expired_access_tickets_and_keeps_the_live_ones()
    {
        var tenant = await fixture.Database.CreateTenantAsync();
        var userId = await CreateUserAsync(tenant);
        var now = DateTimeOffset.UtcNow;
        var expired = new List<Guid>();
        var live = new List<Guid>();
        await using (var db = fixture.PlatformScoped())
        {
            for (var i = 0; i < 130; i++)
            {
                var isLive = i % 10 == 0;
                var ticket = new AccessTicket
                {
                    TokenHash = Guid.NewGuid().ToString("N"), Purpose = AccessTicketPurpose.Stream, TenantId = tenant, UserId = userId,
                    SessionId = Guid.NewGuid(), CreatedAt = now.AddMinutes(-2), ExpiresAt = isLive ? now.AddMinutes(1) : now.AddSeconds(-1 - i),
                };
                db.AccessTickets.Add(ticket);
                (isLive ? live : expired).Add(ticket.Id);
            }

            await db.SaveChangesAsync(Ct);
        }

        await new CleanupJobs(fixture.AppOptions, fixture.JobAudit(), SmallBatches, TimeProvider.System).RefreshTokensAsync(Ct);

        await using var check = fixture.PlatformScoped();
        var left = await check.AccessTickets.Where(t => t.UserId == userId).Select(t => t.Id).ToListAsync(Ct);
        Assert.Equal(live.Order(), left.Order());
        var details = await ScalarAsync<string>("SELECT details::text FROM audit_logs WHERE action = 'job.refresh_token_cleanup' ORDER BY created_at DESC LIMIT 1");
        Assert.Contains("access_tickets_deleted", details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invite_cleanup_expires_pending_invites_and_deletes_old_finished_ones()
    {
        var tenant = await fixture.Database.CreateTenantAsync();
        var now = DateTimeOffset.UtcNow;
        var expiredPending = await InsertInviteAsync(tenant, InviteStatus.Pending, created: now.AddDays(-8), expires: now.AddDays(-1));
        var validPending = await InsertInviteAsync(tenant, InviteStatus.Pending, created: now.AddDays(-1), expires: now.AddDays(6));
        var oldRevoked = await InsertInviteAsync(tenant, InviteStatus.Revoked, created: now.AddDays(-31), expires: now.AddDays(-24));
        var oldAccepted = await InsertInviteAsync(tenant, InviteStatus.Accepted, created: now.AddDays(-40), expires: now.AddDays(-33));
        var recentRevoked = await InsertInviteAsync(tenant, InviteStatus.Revoked, created: now.AddDays(-10), expires: now.AddDays(-3));

        await new CleanupJobs(fixture.AppOptions, fixture.JobAudit(), SmallBatches, TimeProvider.System).InvitesAsync(Ct);

        await using var db = fixture.PlatformScoped();
        var left = await db.TeamInvites.Where(i => i.TenantId == tenant).ToDictionaryAsync(i => i.Id, i => i.Status, Ct);
        Assert.Equal(InviteStatus.Expired, left[expiredPending]);
        Assert.Equal(InviteStatus.Pending, left[validPending]);
        Assert.Equal(InviteStatus.Revoked, left[recentRevoked]);
        Assert.False(left.ContainsKey(oldRevoked));
        Assert.False(left.ContainsKey(oldAccepted));
    }

    [Fact]
    public async Task Health_rollup_aggregates_a_known_hour_and_rerunning_changes_nothing()
    {
        var tenant = await fixture.Database.CreateTenantAsync();
        var container = "rollup-" + Guid.NewGuid().ToString("N")[..10];
        var now = DateTimeOffset.UtcNow;
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-3);
        await using (var db = fixture.PlatformScoped())
        {
            for (var i = 0; i < 240; i++)
            {
                db.ContainerHealth.Add(new ContainerHealth
                {
                    TenantId = tenant, ContainerId = container, Status = i == 100 ? HealthStatus.Unhealthy : i % 7 == 0 ? HealthStatus.Degraded : HealthStatus.Healthy,
                    CpuPercent = i % 2 == 0 ? 10 : 30, MemoryMb = 100 + i, MemoryLimitMb = 512, RestartCount = i / 100, SampleCount = 1,
                    Resolution = HealthResolution.Raw, RecordedAt = hour.AddSeconds(15 * i),
                });
            }

            db.ContainerHealth.Add(new ContainerHealth
            {
                TenantId = tenant, ContainerId = container, Status = HealthStatus.Healthy, SampleCount = 1, Resolution = HealthResolution.Raw,
                RecordedAt = now.AddHours(-30),
            });
            await db.SaveChangesAsync(Ct);
        }

        var job = new HealthRollupJob(fixture.AppOptions, fixture.JobAudit(), SmallBatches, TimeProvider.System);
        await job.RunAsync(Ct);
        await job.RunAsync(Ct);
        Assert.Equal(0, await job.RollUpHourAsync(hour, Ct));

        await using var check = fixture.PlatformScoped();
        var rollup = await check.ContainerHealth.SingleAsync(h => h.ContainerId == container && h.Resolution == HealthResolution.Hour && h.RecordedAt == hour, Ct);
        Assert.Equal(240, rollup.SampleCount);
        Assert.Equal(20, rollup.CpuPercent, precision: 6);
        Assert.Equal(339, rollup.MemoryMb);
        Assert.Equal(HealthStatus.Unhealthy, rollup.Status);
        Assert.Equal(2, rollup.RestartCount);
        Assert.Equal(0, await check.ContainerHealth.CountAsync(h => h.ContainerId == container && h.Resolution == HealthResolution.Raw && h.RecordedAt < now.AddHours(-24), Ct));
        Assert.Equal(240, await check.ContainerHealth.CountAsync(h => h.ContainerId == container && h.Resolution == HealthResolution.Raw, Ct));
    }

    [Fact]
    public async Task Health_rollup_deletes_hourly_rows_older_than_thirty_days_in_batches_and_keeps_the_younger_ones()
    {
        var tenant = await fixture.Database.CreateTenantAsync();
        var container = "hourly-" + Guid.NewGuid().ToString("N")[..10];
        var now = DateTimeOffset.UtcNow;
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        await using (var db = fixture.PlatformScoped())
        {
            // More expired rows than one batch holds, and a month of rows still inside the window.
            for (var i = 1; i <= 130; i++)
            {
                db.ContainerHealth.Add(HourRow(tenant, container, hour.AddDays(-30).AddHours(-i)));
            }

            for (var i = 1; i <= 29 * 24; i += 24)
            {
                db.ContainerHealth.Add(HourRow(tenant, container, hour.AddHours(-i)));
            }

            await db.SaveChangesAsync(Ct);
        }

        await new HealthRollupJob(fixture.AppOptions, fixture.JobAudit(), SmallBatches, TimeProvider.System).RunAsync(Ct);

        await using var check = fixture.PlatformScoped();
        var left = await check.ContainerHealth.Where(h => h.ContainerId == container).Select(h => h.RecordedAt).ToListAsync(Ct);
        Assert.Equal(29, left.Count);
        Assert.All(left, recordedAt => Assert.True(recordedAt > now.AddDays(-30), $"an hourly row of {recordedAt:O} outlived the 30 days"));
    }

    private static ContainerHealth HourRow(Guid tenant, string container, DateTimeOffset recordedAt) => new()
    {
        TenantId = tenant, ContainerId = container, Status = HealthStatus.Healthy, SampleCount = 240, Resolution = HealthResolution.Hour, RecordedAt = recordedAt,
    };

    private async Task<Guid> CreateUserAsync(Guid tenantId)
    {
        await using var db = fixture.PlatformScoped();
        var user = new User { Email = $"u-{Guid.NewGuid():N}@example.test", Name = "U", PasswordHash = "x", Role = UserRole.TenantMember, TenantId = tenantId, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        db.Users.Add(user);
        await db.SaveChangesAsync(Ct);
        return user.Id;
    }

    private async Task InsertTokensAsync(Guid userId, int count, DateTimeOffset expiresAt, DateTimeOffset? revokedAt)
    {
        await using var db = fixture.PlatformScoped();
        for (var i = 0; i < count; i++)
        {
            db.RefreshTokens.Add(new RefreshToken { UserId = userId, TokenHash = Guid.NewGuid().ToString("N"), FamilyId = Guid.NewGuid(), ExpiresAt = expiresAt, RevokedAt = revokedAt, CreatedAt = expiresAt.AddDays(-30) });
        }

        await db.SaveChangesAsync(Ct);
    }

    private async Task<Guid> InsertInviteAsync(Guid tenantId, InviteStatus status, DateTimeOffset created, DateTimeOffset expires)
    {
        await using var db = fixture.PlatformScoped();
        var invite = new TeamInvite { TenantId = tenantId, Email = $"i-{Guid.NewGuid():N}@example.test", Role = UserRole.TenantMember, TokenHash = Guid.NewGuid().ToString("N"), Status = status, ExpiresAt = expires, CreatedAt = created, AcceptedAt = status == InviteStatus.Accepted ? created.AddDays(1) : null };
        db.TeamInvites.Add(invite);
        await db.SaveChangesAsync(Ct);
        return invite.Id;
    }

    private Task<long> CountAsync(string sql) => ScalarAsync<long>(sql);

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.OwnerConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }
}
