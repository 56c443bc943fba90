using Microsoft.EntityFrameworkCore;
using Platform.Data.Tenancy;

namespace Platform.Data.Tests;

internal static class PlatformDatabaseContexts
{
    public static PlatformDbContext Create(string connectionString, TenantContext tenant)
    {
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, connectionString);
        return PlatformDbContext.Create(options.Options, tenant);
    }
}
