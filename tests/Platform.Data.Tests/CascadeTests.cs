using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data.Entities;
using Platform.Tests.Support;

namespace Platform.Data.Tests;

public sealed class CascadeTests(SharedPostgres postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deleting_a_tenant_removes_its_rows_from_every_tenant_scoped_table()
    {
        var doomed = await CreateTenantWithEverythingAsync();
        var survivor = await CreateTenantWithEverythingAsync();
        var tables = await TenantScopedTablesAsync();
        Assert.Equal(18, tables.Count);
        foreach (var table in tables)
        {
            Assert.True(await CountAsync(table, doomed) > 0, $"{table} has no row to cascade");
        }

        await using (var db = postgres.Database.CreateOwnerContext())
        {
            Assert.Equal(1, await db.Tenants.Where(t => t.Id == doomed).ExecuteDeleteAsync(Ct));
        }

        foreach (var table in tables)
        {
            Assert.Equal(0, await CountAsync(table, doomed));
            Assert.True(await CountAsync(table, survivor) > 0, $"{table} lost another tenant's rows");
        }

        await using var check = postgres.Database.CreateOwnerContext();
        Assert.Equal(0, await check.RefreshTokens.CountAsync(t => t.User!.TenantId == doomed, Ct));
    }

    private async Task<List<string>> TenantScopedTablesAsync()
    {
        await using var connection = new NpgsqlConnection(postgres.Database.OwnerConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var tables = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private async Task<long> CountAsync(string table, Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(postgres.Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE tenant_id = @t", connection);
        command.Parameters.AddWithValue("t", tenantId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>One row in every tenant-scoped table, plus a refresh token of the tenant's user.</summary>
    private async Task<Guid> CreateTenantWithEverythingAsync()
    {
        var tenantId = await postgres.Database.CreateTenantAsync();
        await using var db = postgres.Database.CreateOwnerContext();
        var now = DateTimeOffset.UtcNow;
        var agent = await db.Agents.SingleAsync(a => a.TenantId == tenantId, Ct);
        var skill = await db.Skills.FirstAsync(Ct);
        var user = new User { Email = $"u-{Guid.NewGuid():N}@example.test", Name = "U", PasswordHash = "x", Role = UserRole.TenantAdmin, TenantId = tenantId, CreatedAt = now, UpdatedAt = now };
        db.Users.Add(user);
        db.TeamMembers.Add(new TeamMember { TenantId = tenantId, UserId = user.Id, Role = UserRole.TenantAdmin, JoinedAt = now });
        db.RefreshTokens.Add(new RefreshToken { UserId = user.Id, TokenHash = Guid.NewGuid().ToString("N"), FamilyId = Guid.NewGuid(), ExpiresAt = now.AddDays(1), CreatedAt = now, CreatedByIp = IPAddress.Loopback });
        db.ApiKeys.Add(new ApiKey { TenantId = tenantId, Name = "k", Prefix = Guid.NewGuid().ToString("N")[..12], KeyHash = "h", Scopes = ["agents:read"], CreatedByUserId = user.Id, CreatedAt = now });
        db.AccessTickets.Add(new AccessTicket { TenantId = tenantId, UserId = user.Id, SessionId = Guid.NewGuid(), Purpose = AccessTicketPurpose.Stream, TokenHash = Guid.NewGuid().ToString("N"), ExpiresAt = now.AddMinutes(1), CreatedAt = now });
        db.TeamInvites.Add(new TeamInvite { TenantId = tenantId, Email = "i@example.test", Role = UserRole.TenantMember, TokenHash = Guid.NewGuid().ToString("N"), Status = InviteStatus.Pending, InvitedByUserId = user.Id, ExpiresAt = now.AddDays(7), CreatedAt = now });
        db.AgentActivities.Add(new AgentActivity { TenantId = tenantId, AgentId = agent.Id, Type = ActivityType.Message, Summary = "hi", Details = JsonDocument.Parse("{}"), CreatedAt = now });
        db.AgentMetrics.Add(new AgentMetric { TenantId = tenantId, AgentId = agent.Id, PeriodStart = now, PeriodMinutes = 60, CreatedAt = now, UpdatedAt = now });
        db.SkillInstallations.Add(new SkillInstallation { TenantId = tenantId, AgentId = agent.Id, SkillId = skill.Id, Version = "1.0.0", Config = JsonDocument.Parse("{}"), InstalledByUserId = user.Id, InstalledAt = now });
        db.SkillRatings.Add(new SkillRating { TenantId = tenantId, SkillId = skill.Id, UserId = user.Id, Rating = 4, CreatedAt = now, UpdatedAt = now });
        db.ContainerHealth.Add(new ContainerHealth { TenantId = tenantId, AgentId = agent.Id, ContainerId = "c-" + agent.Id, Status = HealthStatus.Healthy, SampleCount = 1, RecordedAt = now });
        db.Alerts.Add(new Alert { TenantId = tenantId, AgentId = agent.Id, Kind = "container_unhealthy", Severity = AlertSeverity.Warning, Title = "t", Message = "m", Fingerprint = Guid.NewGuid().ToString("N"), CreatedAt = now });
        db.AuditLogs.Add(new AuditLog { TenantId = tenantId, ActorType = AuditActorType.User, ActorId = user.Id, Action = "test.created", TargetType = AuditTargetType.Tenant, TargetId = tenantId, Severity = AuditSeverity.Info, IpAddress = IPAddress.Loopback, CreatedAt = now });
        var webhook = new Webhook { TenantId = tenantId, Url = "https://hooks.example.test/in", Events = ["alert.raised"], SecretCipher = "c", CreatedAt = now, UpdatedAt = now };
        var webhookEvent = new WebhookEvent { TenantId = tenantId, Type = "alert.raised", Data = JsonDocument.Parse("{}"), CreatedAt = now };
        var delivery = new WebhookDelivery { TenantId = tenantId, WebhookId = webhook.Id, EventId = webhookEvent.Id, EventType = webhookEvent.Type, CreatedAt = now, UpdatedAt = now };
        db.AddRange(webhook, webhookEvent, delivery);
        db.WebhookAttempts.Add(new WebhookAttempt { TenantId = tenantId, DeliveryId = delivery.Id, StatusCode = 500, LatencyMs = 1, AttemptedAt = now });
        await db.SaveChangesAsync(Ct);
        return tenantId;
    }
}
