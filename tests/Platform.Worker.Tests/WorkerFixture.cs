using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Data;
using Platform.Data.Tenancy;
using Platform.Tests.Support;
using Platform.Worker.Jobs;

namespace Platform.Worker.Tests;

/// <summary>
/// One PostgreSQL (migrated, seeded) for the assembly. Jobs are run directly, as Hangfire would run
/// them, against the application role (row-level security on); tests isolate by tenant.
/// </summary>
public sealed class WorkerFixture : IAsyncLifetime
{
    private LocalPostgres? _postgres;

    public PlatformDatabase Database { get; private set; } = null!;

    public LocalPostgres Postgres => _postgres!;

    public DbContextOptions<PlatformDbContext> AppOptions { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _postgres = await LocalPostgres.StartAsync();
        Database = await PlatformDatabase.CreateAsync(_postgres, "platform");
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, Database.AppConnectionString);
        AppOptions = options.Options;
    }

    public PlatformDbContext PlatformScoped() => PlatformDbContext.Create(AppOptions, TenantContext.ForPlatform());

    public JobAudit JobAudit() => new(AppOptions, NullLogger<JobAudit>.Instance, TimeProvider.System);

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
