using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Data;
using Platform.Data.Hosting;
using Platform.Data.Tenancy;

namespace Platform.Api.Tests;

/// <summary>
/// The read context runs on the write context's model (built once), and its tenant filter still reads the tenant of
/// the context that runs the query, not of the context the model was built with.
/// </summary>
public sealed class ReadContextModelTests(ApiFixture fixture)
{
    [Fact]
    public async Task The_read_context_shares_the_write_model_and_filters_on_its_own_tenant()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:platformdb"] = fixture.Database.AppConnectionString });
        builder.AddPlatformData(exportsTelemetry: false, sessionStateFree: true);
        using var host = builder.Build();

        var (writeTenant, readTenant) = (Guid.NewGuid(), Guid.NewGuid());
        await using var write = host.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContext(TenantContext.ForTenant(writeTenant));
        await using var read = host.Services.GetRequiredService<IDbContextFactory<PlatformReadDbContext>>().CreateDbContext(TenantContext.ForTenant(readTenant));

        Assert.Same(write.Model, read.Model);
        var sql = read.Agents.ToQueryString();
        Assert.Contains(readTenant.ToString(), sql, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(writeTenant.ToString(), sql, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(writeTenant.ToString(), write.Agents.ToQueryString(), StringComparison.OrdinalIgnoreCase);
    }
}
