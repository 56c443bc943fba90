using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;
using Platform.Tests.Support;

namespace Platform.Data.Tests;

/// <summary>
/// A fresh tenant with a row in every tenant-scoped table, each foreign key of each row set, and a skill of its own
/// (skills are global: a test that deletes one must not take the seeded catalogue with it).
/// </summary>
internal sealed class TenantGraph
{
    public required Guid TenantId { get; init; }
    public required Guid UserId { get; init; }
    public required Guid AgentId { get; init; }
    public required Guid OtherAgentId { get; init; }
    public required Guid SkillId { get; init; }

    /// <summary>The row of a table whose foreign key column points into the graph (most tables have one row for all).</summary>
    public required IReadOnlyDictionary<string, Guid> Rows { get; init; }

    /// <summary>Rows that only some of a table's foreign keys can be shown on (a ticket has a user or a key, not both).</summary>
    public required IReadOnlyDictionary<(string Table, string Column), Guid> RowsByColumn { get; init; }

    public Guid Row(string table, string column) =>
        RowsByColumn.TryGetValue((table, column), out var id) ? id : Rows[table];

    public static async Task<TenantGraph> CreateAsync(PlatformDatabase database, CancellationToken cancellationToken)
    {
        var tenantId = await database.CreateTenantAsync();
        await using var db = database.CreateOwnerContext();
        var now = DateTimeOffset.UtcNow;
        var agent = await db.Agents.SingleAsync(a => a.TenantId == tenantId, cancellationToken);
        var otherAgent = new Agent { TenantId = tenantId, Name = "other-" + Guid.NewGuid().ToString("N")[..8], CreatedAt = now, UpdatedAt = now };
        var skill = new Skill
        {
            Name = "Cascade probe", Slug = "cascade-" + Guid.NewGuid().ToString("N")[..12], Description = "d", Category = SkillCategory.Engineering,
            Status = SkillStatus.Published, Publisher = "tests", CreatedAt = now, UpdatedAt = now,
        };
        var user = new User { Email = $"u-{Guid.NewGuid():N}@example.test", Name = "U", PasswordHash = "x", Role = UserRole.TenantAdmin, TenantId = tenantId, CreatedAt = now, UpdatedAt = now };
        var member = new TeamMember { TenantId = tenantId, UserId = user.Id, Role = UserRole.TenantAdmin, JoinedAt = now };
        var successorToken = NewToken(user.Id, now);
        var rotatedToken = NewToken(user.Id, now);
        rotatedToken.RevokedAt = now;
        rotatedToken.ReplacedById = successorToken.Id;
        var humanKey = new ApiKey { TenantId = tenantId, Name = "k", Prefix = Guid.NewGuid().ToString("N")[..12], KeyHash = "h", Scopes = ["agents:read"], CreatedByUserId = user.Id, CreatedAt = now };
        var runtimeKey = new ApiKey { TenantId = tenantId, Name = "runtime", Prefix = Guid.NewGuid().ToString("N")[..12], KeyHash = "h", Scopes = ["runtime"], AgentId = agent.Id, CreatedAt = now };
        var userTicket = new AccessTicket { TenantId = tenantId, UserId = user.Id, SessionId = successorToken.FamilyId, Purpose = AccessTicketPurpose.Stream, TokenHash = Guid.NewGuid().ToString("N"), ExpiresAt = now.AddMinutes(1), CreatedAt = now };
        var keyTicket = new AccessTicket { TenantId = tenantId, ApiKeyId = runtimeKey.Id, Purpose = AccessTicketPurpose.Stream, TokenHash = Guid.NewGuid().ToString("N"), ExpiresAt = now.AddMinutes(1), CreatedAt = now };
        var invite = new TeamInvite { TenantId = tenantId, Email = $"i-{Guid.NewGuid():N}@example.test", Role = UserRole.TenantMember, TokenHash = Guid.NewGuid().ToString("N"), Status = InviteStatus.Pending, InvitedByUserId = user.Id, ExpiresAt = now.AddDays(7), CreatedAt = now };
        var activity = new AgentActivity { TenantId = tenantId, AgentId = agent.Id, Type = ActivityType.Message, Summary = "hi", Details = JsonDocument.Parse("{}"), CreatedAt = now };
        var metric = new AgentMetric { TenantId = tenantId, AgentId = agent.Id, PeriodStart = now, PeriodMinutes = 60, CreatedAt = now, UpdatedAt = now };
        var installation = new SkillInstallation { TenantId = tenantId, AgentId = agent.Id, SkillId = skill.Id, Version = "1.0.0", Config = JsonDocument.Parse("{}"), InstalledByUserId = user.Id, InstalledAt = now };
        var rating = new SkillRating { TenantId = tenantId, SkillId = skill.Id, UserId = user.Id, Rating = 4, CreatedAt = now, UpdatedAt = now };
        var health = new ContainerHealth { TenantId = tenantId, AgentId = agent.Id, ContainerId = "c-" + agent.Id, Status = HealthStatus.Healthy, SampleCount = 1, RecordedAt = now };
        var alert = new Alert
        {
            TenantId = tenantId, AgentId = agent.Id, Kind = "container_unhealthy", Severity = AlertSeverity.Warning, Title = "t", Message = "m",
            Fingerprint = Guid.NewGuid().ToString("N"), AcknowledgedAt = now, AcknowledgedByUserId = user.Id, CreatedAt = now,
        };
        var audit = new AuditLog { TenantId = tenantId, ActorType = AuditActorType.User, ActorId = user.Id, Action = "test.created", TargetType = AuditTargetType.Tenant, TargetId = tenantId, Severity = AuditSeverity.Info, IpAddress = IPAddress.Loopback, CreatedAt = now };
        var webhook = new Webhook { TenantId = tenantId, Url = "https://hooks.example.test/in", Events = ["alert.raised"], SecretCipher = "c", CreatedAt = now, UpdatedAt = now };
        var webhookEvent = new WebhookEvent { TenantId = tenantId, Type = "alert.raised", Data = JsonDocument.Parse("{}"), CreatedAt = now };
        var delivery = new WebhookDelivery { TenantId = tenantId, WebhookId = webhook.Id, EventId = webhookEvent.Id, EventType = webhookEvent.Type, CreatedAt = now, UpdatedAt = now };
        var attempt = new WebhookAttempt { TenantId = tenantId, DeliveryId = delivery.Id, StatusCode = 500, LatencyMs = 1, AttemptedAt = now };

        // Users, skills and tokens first: EF orders inserts by its model, and the refresh-token self-reference needs the successor in.
        db.AddRange(skill, user, otherAgent, successorToken);
        await db.SaveChangesAsync(cancellationToken);
        db.AddRange(member, rotatedToken, humanKey, runtimeKey, userTicket, keyTicket, invite, activity, metric, installation, rating, health, alert, audit);
        db.AddRange(webhook, webhookEvent, delivery, attempt);
        await db.SaveChangesAsync(cancellationToken);

        return new TenantGraph
        {
            TenantId = tenantId, UserId = user.Id, AgentId = agent.Id, OtherAgentId = otherAgent.Id, SkillId = skill.Id,
            Rows = new Dictionary<string, Guid>
            {
                ["agents"] = agent.Id, ["users"] = user.Id, ["team_members"] = member.Id, ["refresh_tokens"] = rotatedToken.Id,
                ["team_invites"] = invite.Id, ["agent_activities"] = activity.Id, ["agent_metrics"] = metric.Id,
                ["agent_channels"] = await db.AgentChannels.Where(c => c.AgentId == agent.Id).Select(c => c.Id).SingleAsync(cancellationToken),
                ["skill_installations"] = installation.Id, ["skill_ratings"] = rating.Id, ["container_health"] = health.Id, ["alerts"] = alert.Id,
                ["audit_logs"] = audit.Id, ["webhooks"] = webhook.Id, ["webhook_events"] = webhookEvent.Id, ["webhook_deliveries"] = delivery.Id,
                ["webhook_attempts"] = attempt.Id, ["api_keys"] = humanKey.Id, ["access_tickets"] = userTicket.Id,
            },
            RowsByColumn = new Dictionary<(string, string), Guid>
            {
                [("api_keys", "agent_id")] = runtimeKey.Id,
                [("access_tickets", "api_key_id")] = keyTicket.Id,
            },
        };
    }

    private static RefreshToken NewToken(Guid userId, DateTimeOffset now) => new()
    {
        UserId = userId, TokenHash = Guid.NewGuid().ToString("N"), FamilyId = Guid.NewGuid(), ExpiresAt = now.AddDays(1), CreatedAt = now, CreatedByIp = IPAddress.Loopback,
    };
}
