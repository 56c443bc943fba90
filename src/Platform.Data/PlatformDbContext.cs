using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;
using Npgsql.NameTranslation;
using Platform.Data.Entities;
using Platform.Data.Tenancy;
using Platform.Data.Webhooks;

namespace Platform.Data;

public class PlatformDbContext : DbContext, IDataProtectionKeyContext
{
    public const string DefaultMigrationsAssembly = "Platform.Migrator";

    /// <summary>The PostgreSQL enum types, in one place for the model, EF and a raw data source.</summary>
    private static readonly (Type ClrType, string PgName)[] PostgresEnums =
    [
        (typeof(UserRole), "user_role"),
        (typeof(TenantStatus), "tenant_status"),
        (typeof(TenantPlan), "tenant_plan"),
        (typeof(AgentRole), "agent_role"),
        (typeof(AgentStatus), "agent_status"),
        (typeof(ModelTier), "model_tier"),
        (typeof(ThinkingMode), "thinking_mode"),
        (typeof(SkillCategory), "skill_category"),
        (typeof(SkillStatus), "skill_status"),
        (typeof(ChannelType), "channel_type"),
        (typeof(ActivityType), "activity_type"),
        (typeof(AuditActorType), "audit_actor_type"),
        (typeof(AuditTargetType), "audit_target_type"),
        (typeof(AuditSeverity), "audit_severity"),
        (typeof(AlertSeverity), "alert_severity"),
        (typeof(HealthStatus), "health_status"),
        (typeof(InviteStatus), "invite_status"),
    ];

    private static readonly NpgsqlSnakeCaseNameTranslator NameTranslator = new();

    /// <summary>
    /// The only public constructor, as EF's context pool requires: the tenant is attached on each rent
    /// (<see cref="PooledContexts"/>) or by <see cref="Create"/>.
    /// </summary>
    public PlatformDbContext(DbContextOptions<PlatformDbContext> options)
        : this((DbContextOptions)options, null)
    {
    }

    /// <summary>An unpooled context whose rows are those <paramref name="tenant"/> may see (jobs, start-up work, tools).</summary>
    public static PlatformDbContext Create(DbContextOptions<PlatformDbContext> options, TenantContext? tenant) =>
        new(options) { Tenant = tenant };

    protected PlatformDbContext(DbContextOptions options, TenantContext? tenant)
        : base(options)
    {
        Tenant = tenant;

        // SaveChanges always runs in a transaction: the tenant settings then reach a batch as their
        // own statement in that transaction, which keeps EF's per-statement result reading intact.
        Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;

        // No SAVEPOINT/RELEASE around SaveChanges inside an explicit transaction (two round trips per write):
        // every caller that catches a failed SaveChanges answers the request and lets the transaction roll back.
        Database.AutoSavepointsEnabled = false;
    }

    /// <summary>Whose rows this context may see; read by <see cref="TenantContextInterceptor"/>.</summary>
    public TenantContext? Tenant { get; internal set; }

    // The webhook events of the pending changes join the same save, so an event commits exactly when its change does.
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        WebhookEventCapture.AddPending(this);
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        await WebhookEventCapture.AddPendingAsync(this, cancellationToken);
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    // A pooled instance goes back to the pool without a scope: whoever rents it next sees nothing until given one.
    public override void Dispose()
    {
        Tenant = null;
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    public override async ValueTask DisposeAsync()
    {
        Tenant = null;
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    public DbSet<User> Users => Set<User>();
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<Agent> Agents => Set<Agent>();
    public DbSet<Skill> Skills => Set<Skill>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();
    public DbSet<TeamInvite> TeamInvites => Set<TeamInvite>();
    public DbSet<AgentChannel> AgentChannels => Set<AgentChannel>();
    public DbSet<AgentActivity> AgentActivities => Set<AgentActivity>();
    public DbSet<AgentMetric> AgentMetrics => Set<AgentMetric>();
    public DbSet<SkillInstallation> SkillInstallations => Set<SkillInstallation>();
    public DbSet<ContainerHealth> ContainerHealth => Set<ContainerHealth>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<AuditLog> AuditLogs => Set<AuditLog>();
    public DbSet<SkillRating> SkillRatings => Set<SkillRating>();
    public DbSet<SecurityChange> SecurityChanges => Set<SecurityChange>();
    public DbSet<AccessTicket> AccessTickets => Set<AccessTicket>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookEvent> WebhookEvents => Set<WebhookEvent>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    /// <summary>The ASP.NET Core Data Protection key ring (encrypted at rest when a certificate is configured).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>UseNpgsql + enum mappings + snake_case names: how every process builds this context.</summary>
    public static void Configure(
        DbContextOptionsBuilder options, string connectionString, string? migrationsAssembly = DefaultMigrationsAssembly)
    {
        options.UseNpgsql(connectionString, npgsql => ConfigureNpgsql(npgsql, migrationsAssembly))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(TenantContextInterceptor.Instance);
    }

    /// <summary>As above over a data source built elsewhere; map its enums with <see cref="MapEnums(NpgsqlDataSourceBuilder)"/>.</summary>
    public static void Configure(
        DbContextOptionsBuilder options, NpgsqlDataSource dataSource, string? migrationsAssembly = DefaultMigrationsAssembly)
    {
        options.UseNpgsql(dataSource, npgsql => ConfigureNpgsql(npgsql, migrationsAssembly))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(TenantContextInterceptor.Instance);
    }

    /// <summary>For hosts that call UseNpgsql themselves (e.g. Aspire's AddNpgsqlDbContext).</summary>
    public static void ConfigureNpgsql(
        NpgsqlDbContextOptionsBuilder npgsql, string? migrationsAssembly = DefaultMigrationsAssembly)
    {
        MapEnums(npgsql);
        if (migrationsAssembly is not null)
        {
            npgsql.MigrationsAssembly(migrationsAssembly);
        }
    }

    public static NpgsqlDbContextOptionsBuilder MapEnums(NpgsqlDbContextOptionsBuilder npgsql)
    {
        foreach (var (clrType, pgName) in PostgresEnums)
        {
            npgsql.MapEnum(clrType, pgName);
        }

        return npgsql;
    }

    public static NpgsqlDataSourceBuilder MapEnums(NpgsqlDataSourceBuilder dataSource)
    {
        foreach (var (clrType, pgName) in PostgresEnums)
        {
            dataSource.MapEnum(clrType, pgName);
        }

        return dataSource;
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Explicit labels keep the declaration order; registered from MapEnum alone they come out sorted.
        foreach (var (clrType, pgName) in PostgresEnums)
        {
            var labels = Enum.GetNames(clrType).Select(NameTranslator.TranslateMemberName).ToArray();
            modelBuilder.HasPostgresEnum(pgName, labels);
        }

        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PlatformDbContext).Assembly);
        TenantQueryFilters.Apply(modelBuilder, this);
    }

    /// <summary>
    /// The tenant every query of this context is filtered to, or null for platform scope (and for no
    /// scope, where row-level security alone returns nothing). Read per query by the filters.
    /// </summary>
    public Guid? FilterTenantId => Tenant is { IsPlatformAdmin: false, TenantId: { } id } ? id : null;
}
