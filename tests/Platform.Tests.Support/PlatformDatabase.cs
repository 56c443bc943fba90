using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Tenancy;
using Platform.Migrator;

namespace Platform.Tests.Support;

/// <summary>
/// A migrated Platform database on a shared <see cref="LocalPostgres"/>: the Migrator ran on it, so
/// it has the schema, the application role, row-level security and the seed. Tests isolate
/// themselves by creating their own tenants.
/// </summary>
public sealed class PlatformDatabase
{
    public const string AppRole = "platform_app";
    public const string AppRolePassword = "app-role-password-for-tests";

    public static readonly MigratorOptions Options = new()
    {
        AppRoleName = AppRole,
        AppRolePassword = AppRolePassword,
        PlatformAdminEmail = "admin@platform.test",
        PlatformAdminPassword = "platform-admin-password",
        SampleUserPassword = "sample-user-password",
    };

    private PlatformDatabase(LocalPostgres server, string name)
    {
        Server = server;
        Name = name;
    }

    public LocalPostgres Server { get; }

    public string Name { get; }

    /// <summary>The owner (superuser here): schema changes, fixtures, checks that must see every row.</summary>
    public string OwnerConnectionString => Server.ConnectionString(Name);

    /// <summary>The application role, as the API and Worker connect: subject to row-level security.</summary>
    public string AppConnectionString => Server.ConnectionString(Name, AppRole, AppRolePassword);

    public static async Task<PlatformDatabase> CreateAsync(LocalPostgres server, string? name = null)
    {
        var database = new PlatformDatabase(server, name ?? "platform_" + Guid.NewGuid().ToString("N")[..12]);
        await database.MigrateAsync();
        return database;
    }

    public Task MigrateAsync() =>
        new PlatformMigrator(OwnerConnectionString, Options, NullLogger.Instance).RunAsync(CancellationToken.None);

    public PlatformDbContext CreateAppContext(TenantContext? tenant = null) => CreateContext(AppConnectionString, tenant);

    public PlatformDbContext CreateOwnerContext() => CreateContext(OwnerConnectionString, null);

    /// <summary>Creates a tenant with one agent and one channel, as the owner, and returns its id.</summary>
    public async Task<Guid> CreateTenantAsync(string? name = null)
    {
        await using var db = CreateOwnerContext();
        var now = DateTimeOffset.UtcNow;
        var tenant = new Tenant
        {
            CompanyName = name ?? "Tenant " + Guid.NewGuid().ToString("N")[..8],
            AdminEmail = $"admin-{Guid.NewGuid():N}@example.test",
            Status = TenantStatus.Active,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var agent = new Agent { TenantId = tenant.Id, Name = "agent-" + Guid.NewGuid().ToString("N")[..8], Role = AgentRole.Pm, CreatedAt = now, UpdatedAt = now };
        db.Tenants.Add(tenant);
        db.Agents.Add(agent);
        db.AgentChannels.Add(new AgentChannel { TenantId = tenant.Id, AgentId = agent.Id, Type = ChannelType.Slack, Name = "#general", CreatedAt = now, UpdatedAt = now });
        await db.SaveChangesAsync();
        return tenant.Id;
    }

    private static PlatformDbContext CreateContext(string connectionString, TenantContext? tenant)
    {
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, connectionString);
        return PlatformDbContext.Create(options.Options, tenant ?? new TenantContext());
    }
}
