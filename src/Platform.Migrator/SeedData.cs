using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Security;

namespace Platform.Migrator;

/// <summary>
/// Idempotent seed: each row is looked up by its natural key (email, slug, company, agent name)
/// and inserted only when missing, so a second run changes nothing.
/// </summary>
internal static class SeedData
{
    public const string SampleCompany = "Acme Robotics";
    public const string SampleAdminEmail = "admin@acme.example";
    public const string SampleMemberEmail = "member@acme.example";

    public static async Task ApplyAsync(PlatformDbContext db, MigratorOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var added = 0;

        added += await EnsureUserAsync(db, options.PlatformAdminEmail, "Platform Admin", UserRole.PlatformAdmin, null, options.PlatformAdminPassword, now, cancellationToken);
        added += await EnsureSkillsAsync(db, now, cancellationToken);
        if (options.SeedSampleTenant)
        {
            added += await EnsureSampleTenantAsync(db, options, now, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Seed data: {Added} row(s) added", added);
    }

    private static async Task<int> EnsureUserAsync(
        PlatformDbContext db, string email, string name, UserRole role, Guid? tenantId, string? password, DateTimeOffset now, CancellationToken cancellationToken)
    {
        email = email.Trim().ToLowerInvariant();
        if (await db.Users.AnyAsync(u => u.Email == email, cancellationToken) || db.Users.Local.Any(u => u.Email == email))
        {
            return 0;
        }

        var user = new User
        {
            Email = email,
            Name = name,
            Role = role,
            TenantId = tenantId,
            // Without a configured password the account exists but nobody can sign in until it is reset.
            PasswordHash = Passwords.Hash(password ?? Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Users.Add(user);
        if (tenantId is { } tenant)
        {
            db.TeamMembers.Add(new TeamMember { TenantId = tenant, UserId = user.Id, Role = role, JoinedAt = now });
            return 2;
        }

        return 1;
    }

    private static async Task<int> EnsureSampleTenantAsync(PlatformDbContext db, MigratorOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var added = 0;
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.AdminEmail == SampleAdminEmail, cancellationToken);
        if (tenant is null)
        {
            tenant = new Tenant
            {
                CompanyName = SampleCompany,
                AdminEmail = SampleAdminEmail,
                Status = TenantStatus.Active,
                Plan = TenantPlan.Growth,
                ModelDefaults = new ModelDefaults { ModelTier = ModelTier.Sonnet, ThinkingMode = ThinkingMode.Low },
                ResourceLimits = new ResourceLimits(),
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Tenants.Add(tenant);
            added++;
        }

        added += await EnsureUserAsync(db, SampleAdminEmail, "Ada Admin", UserRole.TenantAdmin, tenant.Id, options.SampleUserPassword, now, cancellationToken);
        added += await EnsureUserAsync(db, SampleMemberEmail, "Max Member", UserRole.TenantMember, tenant.Id, options.SampleUserPassword, now, cancellationToken);

        foreach (var sample in SampleCatalog.Agents)
        {
            if (await db.Agents.AnyAsync(a => a.TenantId == tenant.Id && a.Name == sample.Name, cancellationToken))
            {
                continue;
            }

            var agent = new Agent
            {
                TenantId = tenant.Id,
                Name = sample.Name,
                Description = sample.Description,
                Role = sample.Role,
                Status = AgentStatus.Active,
                ModelTier = ModelTier.Sonnet,
                ThinkingMode = ThinkingMode.Low,
                ToolPolicy = new ToolPolicy { Allowed = sample.Tools },
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Agents.Add(agent);
            db.AgentChannels.Add(new AgentChannel
            {
                TenantId = tenant.Id,
                AgentId = agent.Id,
                Type = sample.Channel,
                Name = sample.ChannelName,
                Config = JsonDocument.Parse(sample.ChannelConfig),
                Enabled = true,
                CreatedAt = now,
                UpdatedAt = now,
            });
            added += 2;
        }

        return added;
    }

    private static async Task<int> EnsureSkillsAsync(PlatformDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var existing = await db.Skills.Select(s => s.Slug).ToListAsync(cancellationToken);
        var added = 0;
        foreach (var skill in SampleCatalog.Skills.Where(s => !existing.Contains(s.Slug)))
        {
            db.Skills.Add(new Skill
            {
                Slug = skill.Slug,
                Name = skill.Name,
                Description = skill.Description,
                Category = skill.Category,
                Version = "1.0.0",
                Status = SkillStatus.Published,
                CompatibleRoles = [.. skill.Roles],
                Capabilities = JsonDocument.Parse(skill.Capabilities),
                Permissions = JsonDocument.Parse(skill.Permissions),
                Publisher = "Platform",
                CreatedAt = now,
                UpdatedAt = now,
            });
            added++;
        }

        return added;
    }
}
